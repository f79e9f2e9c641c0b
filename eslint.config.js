// Layering rules (CONVENTIONS §1): only electron/main and electron/preload import electron; shared/ and
// renderer/ never import node:* (or Node built-ins by bare name); renderer/ never imports electron/ code.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'net', 'dgram', 'http', 'https', 'crypto', 'child_process', 'util', 'url', 'stream', 'events', 'buffer', 'worker_threads', 'dns', 'tls', 'zlib', 'readline', 'process'];
const noNode = {
  patterns: [{ group: ['node:*'], message: 'shared/ and renderer/ are pure: no Node modules.' }],
  paths: [...nodeBuiltins.map((name) => ({ name, message: 'shared/ and renderer/ are pure: no Node modules.' }))],
};
const noElectron = { name: 'electron', message: 'Only electron/main and electron/preload may import electron.' };

export default tseslint.config(
  { ignores: ['node_modules/', 'renderer/dist/', 'build/out/', 'dist/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noElectron] }],
    },
  },
  {
    files: ['electron/main/**', 'electron/preload/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noNode.patterns, { group: ['**/electron/**', '**/renderer/**', 'react', 'react-dom'], message: 'shared/ imports nothing outside itself (zod aside).' }], paths: [...noNode.paths, noElectron] }],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noNode.patterns, { group: ['**/electron/**'], message: 'renderer/ reaches the core only through the API client in renderer/src/bridge.' }], paths: [...noNode.paths, noElectron] }],
    },
  },
);
