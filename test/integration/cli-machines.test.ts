/**
 * `rackboot machines` against a temp data dir and a fixture ISO: plan, re-arm, finish and forget a machine;
 * JSON lines by default, a table with --human; bad input exits 2, failures 1 with a one-line reason.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { runCli, tempDir } from '../helpers/rackboot.ts';
import { missing } from '../helpers/tools.ts';

let dir: ReturnType<typeof tempDir>;
let iso: string;
beforeAll(() => {
  dir = tempDir('rackboot-cli-machines-');
  if (!missing('xorriso')) iso = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(1000, 1), bytes(2000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
});
afterAll(() => dir.remove());

const cli = (...args: string[]) => runCli([...args, '--data', join(dir.path, 'data')], { timeoutMs: 60_000 });
const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe.skipIf(missing('xorriso'))('rackboot machines', () => {
  it('plans a machine, re-arms it, marks it done and forgets it', async () => {
    expect((await cli('machines')).stdout).toBe('');
    const a = await cli('machines', 'assign', '52:54:00:6f:00:01', '--iso', iso, '--hostname', 'node1', '--chain', 'grub', '--secure-boot', 'on');
    expect(a.code, a.stderr).toBe(0);
    expect(lines(a.stdout)[0]).toMatchObject({ mac: '52:54:00:6f:00:01', hostname: 'node1', iso: 'rocky-9.4-x86_64-dvd', state: 'armed', chain: 'grub', secureBoot: 'on', stage: null, history: [] });
    // Any MAC spelling; the same machine.
    expect(lines((await cli('machines', 'done', '52-54-00-6F-00-01')).stdout)[0]).toMatchObject({ state: 'installed' });
    expect(lines((await cli('machines', 'rearm', '52:54:00:6f:00:01')).stdout)[0]).toMatchObject({ state: 'armed' });
    const human = await cli('machines', 'list', '--human');
    expect(human.stdout).toMatch(/^52:54:00:6f:00:01\s+node1\s+rocky-9\.4-x86_64-dvd\s+armed\s+-/m);
    expect((await cli('machines', 'rm', '52:54:00:6f:00:01')).code).toBe(0);
    expect((await cli('machines')).stdout).toBe('');
  });

  it.each([
    [['machines', 'assign', 'not-a-mac', '--iso', 'x.iso'], 2, /not a MAC address/],
    [['machines', 'assign', '52:54:00:6f:00:02'], 2, /needs --iso/],
    [['machines', 'assign', '52:54:00:6f:00:02', '--iso', 'x', '--chain', 'floppy'], 2, /--chain takes/],
    [['machines', 'rearm', '52:54:00:6f:00:02', '--hostname', 'x'], 2, /go with assign/],
    [['machines', 'frobnicate'], 2, /unknown machines command/],
    [['machines', 'assign', '52:54:00:6f:00:02', '--iso', 'no-such-id'], 1, /no ISO no-such-id in the library/],
    [['machines', 'rearm', '52:54:00:6f:00:03'], 1, /no machine 52:54:00:6f:00:03/],
  ])('%j exits %d', async (args, code, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
