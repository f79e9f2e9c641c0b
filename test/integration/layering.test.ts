/** The layering rules are real: ESLint refuses each forbidden import where it matters (CONVENTIONS §1). */
import { execFileSync } from 'node:child_process';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/rackboot.ts';

const eslint = new ESLint({ cwd: REPO });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${REPO}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rules', () => {
  it.each([
    ['electron/core/x.ts', "import { app } from 'electron';\nvoid app;", /Only electron\/main and electron\/preload/],
    ['shared/protocol/x.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", /pure: no Node modules/],
    ['shared/protocol/x.ts', "import { createSocket } from 'dgram';\nvoid createSocket;", /pure: no Node modules/],
    ['shared/api/x.ts', "import { createBootServer } from '../../electron/core/server.ts';\nvoid createBootServer;", /imports nothing outside itself/],
    ['renderer/src/app/x.ts', "import { join } from 'node:path';\nvoid join;", /pure: no Node modules/],
    ['renderer/src/app/x.ts', "import { createBootServer } from '../../../electron/core/server.ts';\nvoid createBootServer;", /only through the API client/],
    ['renderer/src/app/x.ts', "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;", /Only electron\/main/],
  ])('%s refuses: %s', async (file, code, message) => {
    const messages = await restricted(file, code);
    expect(messages).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['electron/main/x.ts', "import { app } from 'electron';\nvoid app;"],
    ['electron/preload/x.ts', "import { contextBridge } from 'electron';\nvoid contextBridge;"],
    ['electron/core/x.ts', "import { createSocket } from 'node:dgram';\nvoid createSocket;"],
    ['shared/protocol/x.test.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;"],
  ])('%s may: %s', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});

describe('npx rackboot', () => {
  it('runs the CLI from the project after npm ci', () => {
    expect(execFileSync('npx', ['--no-install', 'rackboot', '--version'], { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()).toBe('0.1.0');
  });
});
