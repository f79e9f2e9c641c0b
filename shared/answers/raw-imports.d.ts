/** Vite/vitest `?raw` imports (test corpora): the file's text. */
declare module '*?raw' {
  const text: string;
  export default text;
}
