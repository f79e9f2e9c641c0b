/**
 * `import text from './corpus/file.ks?raw'` in the answer-file tests: Vite (vitest) loads the file as a string.
 * Declared once here for every family's corpus tests (tsconfig.node.json type-checks tests without vite/client).
 */
declare module '*?raw' {
  const text: string;
  export default text;
}
