#!/usr/bin/env node
// `rackboot` launcher: runs the TypeScript CLI through tsx's loader, so `npx rackboot` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
