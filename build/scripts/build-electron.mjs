// Bundles the Electron main process and the sandboxed preload with esbuild (CommonJS, as Electron loads them).
// better-sqlite3 stays external: it is a native addon, rebuilt for Electron's ABI by electron-builder.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning', logOverride: { 'empty-import-meta': 'silent' } };
await build({ ...common, entryPoints: ['electron/main/index.ts'], outfile: 'build/out/main/index.cjs', external: ['electron', 'better-sqlite3'] });
// A sandboxed preload may require only 'electron'; everything else is bundled in.
await build({ ...common, entryPoints: ['electron/preload/index.ts'], outfile: 'build/out/preload/index.cjs', external: ['electron'] });
