import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all the renderer needs.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Inline nothing: the CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      // zod 4 carries comments Rollup cannot place; harmless, and noise in every build.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
    },
  },
});
