/**
 * `rackboot answers` from a shell: import an installer's own file, render what a machine would get for an ISO,
 * validate with exit codes, assign the profile with `rackboot machines assign --profile`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { runCli, tempDir } from '../helpers/rackboot.ts';
import { missing } from '../helpers/tools.ts';

let dir: ReturnType<typeof tempDir>;
let data: string;
let iso: string;

beforeAll(() => {
  dir = tempDir('rackboot-cli-answers-');
  data = join(dir.path, 'data');
  if (missing('xorriso')) return;
  iso = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(1000, 1), bytes(2000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
});
afterAll(() => dir.remove());

const cli = (...args: string[]) => runCli([...args, '--data', data], { timeoutMs: 60_000 });

describe.skipIf(missing('xorriso'))('rackboot answers', () => {
  it('imports a kickstart, renders it for a machine and an ISO, validates it, and a machine is assigned it', async () => {
    const ks = join(dir.path, 'web.ks');
    writeFileSync(ks, 'lang en_US.UTF-8\nkeyboard us\ntimezone UTC --utc\nrootpw --plaintext secret\nautopart --type=lvm\n%post\necho hello > /etc/motd\n%end\n');
    const imported = await cli('answers', 'import', ks, '--name', 'Web servers');
    expect(imported.code, imported.stderr).toBe(0);
    const out = JSON.parse(imported.stdout.trim()) as { profile: { id: string; version: number } };
    expect(out.profile).toEqual({ id: 'web-servers', name: 'Web servers', version: 1 });

    const rendered = await cli('answers', 'render', 'web-servers', '--iso', iso, '--mac', '52:54:00:6e:00:01', '--file', 'ks.cfg');
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toMatch(/^rootpw --iscrypted \$6\$/m);
    expect(rendered.stdout).not.toContain('secret');
    expect(rendered.stdout).toContain('echo hello > /etc/motd');
    expect(rendered.stdout).toMatch(/^network --bootproto=dhcp --device=52:54:00:6e:00:01/m);

    expect((await cli('answers', 'validate', 'web-servers', '--family', 'kickstart')).code).toBe(0);
    // export -> import under another name: the same body, a new profile.
    const exported = await cli('answers', 'export', 'web-servers');
    expect(exported.code, exported.stderr).toBe(0);
    const file = join(dir.path, 'web.rackboot-profile.json');
    writeFileSync(file, exported.stdout);
    const copy = await cli('answers', 'import', file, '--name', 'Web copy');
    expect(copy.code, copy.stderr).toBe(0);
    expect(JSON.parse(copy.stdout.trim()).profile).toMatchObject({ id: 'web-copy', version: 1 });
    const [a, b] = await Promise.all([cli('answers', 'show', 'web-servers'), cli('answers', 'show', 'web-copy')]);
    const body = (s: string) => {
      const { name: _n, ...rest } = (JSON.parse(s.trim()) as { body: Record<string, unknown> }).body;
      return rest;
    };
    expect(body(b.stdout)).toEqual(body(a.stdout));
    const assign = await cli('machines', 'assign', '52:54:00:6e:00:01', '--iso', iso, '--profile', 'web-servers');
    expect(assign.code, assign.stderr).toBe(0);
    expect(JSON.parse(assign.stdout.trim())).toMatchObject({ profile: 'web-servers', state: 'armed' });
    const gone = await cli('machines', 'assign', '52:54:00:6e:00:02', '--iso', iso, '--profile', 'nobody');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no answer profile "nobody"/);
  });

  it('validates and renders files directly: line and field in the issues, the assigned ISO of the machine by default', async () => {
    const bad = join(dir.path, 'bad.ks');
    writeFileSync(bad, 'lang en_US.UTF-8\ntimezone Mars/Olympus_Mons\nrootpw --plaintext x\nautopart\nreboot\n');
    const v = await cli('answers', 'validate', bad, '--version', '8');
    expect(v.code).toBe(1);
    const issues = JSON.parse(v.stdout.trim()).issues as { path: string[]; code: string; message: string; severity: string }[];
    expect(issues).toContainEqual(expect.objectContaining({ path: ['locale', 'timezone'], code: 'UNKNOWN_TIMEZONE', severity: 'error' }));
    expect(issues.find((i) => i.code === 'KS_PLAIN_PASSWORD')?.message).toMatch(/^line 3:/);
    expect(v.stderr).toMatch(/1 error/);

    const good = join(dir.path, 'good.ks');
    writeFileSync(good, 'lang de_DE.UTF-8\ntimezone Europe/Berlin\nrootpw --plaintext x\nautopart\nreboot\n');
    expect((await cli('answers', 'validate', good)).code).toBe(0);
    // The machine assigned in the first test installs the Rocky ISO: no --iso needed.
    const r = await cli('answers', 'render', '--profile', good, '--mac', '52:54:00:6e:00:01', '--file', 'ks.cfg');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^lang de_DE\.UTF-8$/m);
    expect(r.stdout).toMatch(/^url --url=http:\/\/.*\/iso\/rocky-9\.4-x86_64-dvd\/$/m);
    const machines = await cli('machines');
    expect(JSON.parse(machines.stdout.trim().split('\n')[0]!)).toMatchObject({ mac: '52:54:00:6e:00:01', stage: null, history: [] });
  });

  it('validate exits 1 on errors and names the field; bad arguments exit 2', async () => {
    const json = join(dir.path, 'broken.json');
    writeFileSync(json, JSON.stringify({ name: 'broken', postScript: 'a\n%end\nb' }));
    expect((await cli('answers', 'import', json)).code).toBe(0);
    const v = await cli('answers', 'validate', 'broken', '--family', 'kickstart');
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout.trim()).issues.some((i: { path: string[] }) => i.path.join('.') === 'postScript')).toBe(true);
    expect((await cli('answers', 'render', 'broken')).code).toBe(2);
    expect((await cli('answers', 'validate', 'broken', '--family', 'windows')).code).toBe(2);
    expect((await cli('answers', 'show', 'Not An Id')).code).toBe(2);
    // A missing file is a failure (1); a file no installer would read is a usage problem (2: say which family).
    const missingFile = await cli('answers', 'import', join(dir.path, 'nope.ks'));
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toMatch(/cannot read .*nope\.ks: ENOENT/);
    const noise = join(dir.path, 'noise.bin');
    writeFileSync(noise, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    expect((await cli('answers', 'validate', noise)).code).toBe(2);
  });
});
