#!/usr/bin/env node
// `rackboot` launcher: runs the TypeScript CLI through tsx's loader, so `npx rackboot` works right after `npm ci`.
// A signal that arrives while the CLI is still loading ends it cleanly: nothing has started yet.
const early = () => process.exit(0);
process.on('SIGINT', early);
process.on('SIGTERM', early);

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli.ts');
// From here the CLI installs its own handlers before its first await.
process.off('SIGINT', early);
process.off('SIGTERM', early);
await main(process.argv.slice(2));
