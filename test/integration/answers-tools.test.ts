/**
 * The Debian-family answer files against the real tools that read them (Debian 12 packages):
 * - cloud-init 22.4 `cloud-init schema --config-file` on every rendered user-data. cloud-init knows `autoinstall`
 *   only as an opaque mapping with an integer `version` (cc_ubuntu_autoinstall), so it checks the cloud-config
 *   wrapper; the nested `autoinstall.user-data` (cloud-config for the installed system) is validated on its own.
 *   PyYAML (what cloud-init and subiquity parse with) must read every file exactly as rackboot's importer does.
 * - `debconf-set-selections --checkonly` on every rendered preseed (debconf's own parser: a malformed line or an
 *   unknown type is reported).
 * - `sh -n` on every embedded shell command, and the commands executed with stand-ins for curtin, in-target,
 *   wget and logger: the post script arrives byte for byte and nothing in it runs outside its quoting.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { commonProfileSchema, type CommonProfileInput } from '../../shared/answers/profile.ts';
import { BASE, context, DEBIAN, HOSTILE_SCRIPT, KEY, MATRIX, matrixProfile, ROOT_HASH, STATIC_ADDRESS } from '../../shared/answers/deb-fixtures.ts';
import { renderAutoinstall } from '../../shared/answers/autoinstall/render.ts';
import { autoinstallSectionSchema, type AutoinstallSectionInput } from '../../shared/answers/autoinstall/section.ts';
import { fromYaml, toYaml } from '../../shared/answers/autoinstall/yaml.ts';
import { preseedLines } from '../../shared/answers/preseed/parse.ts';
import { renderPreseed } from '../../shared/answers/preseed/render.ts';
import { preseedSectionSchema, type PreseedSectionInput } from '../../shared/answers/preseed/section.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { announceSkip } from '../helpers/root.ts';
import { has } from '../helpers/tools.ts';

const run = promisify(execFile);
type Obj = Record<string, unknown>;
const INSTALL = 'run build/scripts/install-test-tools.sh';

const skipCloudInit = announceSkip('answer files vs cloud-init', has('cloud-init') ? null : `cloud-init is not installed: ${INSTALL}`, { requiredInCi: true });
const skipDebconf = announceSkip('answer files vs debconf', has('debconf-set-selections') ? null : `debconf-set-selections is not installed (not a Debian system): ${INSTALL}`, { requiredInCi: true });
const skipShell = announceSkip('answer files vs sh', has('sh') && has('base64') ? null : 'no POSIX sh and base64 on this machine', { requiredInCi: true });
/** cloud-init's interpreter: it carries PyYAML (python3-yaml is a dependency of the package). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const skipPyYaml = announceSkip('answer files vs PyYAML', spawnSync(PYTHON, ['-c', 'import yaml']).status === 0 ? null : `PyYAML is missing: ${INSTALL}`, { requiredInCi: true });

const work = tempDir('rackboot-answers-');
afterAll(() => work.remove());
let n = 0;
const file = (name: string, text: string) => {
  const p = join(work.path, `${++n}-${name}`);
  writeFileSync(p, text);
  return p;
};

interface Case {
  name: string;
  profile: CommonProfileInput;
  ai?: AutoinstallSectionInput;
  ps?: PreseedSectionInput;
  firmware: 'bios' | 'uefi';
  static: boolean;
}
const CASES: Case[] = [
  ...MATRIX.map((m) => ({ name: m.name, profile: matrixProfile(m.mode, m.layout), firmware: m.firmware, static: m.mode === 'static' })),
  { name: 'root only, keys', profile: { ...BASE, accounts: { root: { hash: ROOT_HASH }, user: null, sshKeys: [KEY] } }, firmware: 'uefi', static: false },
  { name: 'key-only user, no root', profile: { ...BASE, accounts: { root: null, user: { name: 'ops', fullName: 'Ops', password: null }, sshKeys: [KEY] } }, firmware: 'bios', static: false },
  {
    name: 'hostile scripts, imported extras',
    // (Line separators such as U+2028 never get this far: the profile schema refuses them; shared/answers tests.)
    profile: { ...BASE, preScript: HOSTILE_SCRIPT, postScript: HOSTILE_SCRIPT, accounts: { ...BASE.accounts, user: { name: 'ops', fullName: "O'Neil \"#1\" {x} [y] & *z*", password: BASE.accounts!.user!.password } } },
    ai: { userDataAdvanced: { runcmd: [['touch', '/var/lib/first-boot']] }, liveUserData: { ssh_pwauth: true }, lateCommands: ["echo 'late' > /target/etc/late"] },
    ps: { lateCommand: "echo 'unterminated \\", advanced: ['d-i partman-auto-lvm/new_vg_name string vg0'] },
    firmware: 'uefi',
    static: true,
  },
];
const ctxOf = (c: Case, distro = context().distro) => context({ firmware: c.firmware, address: c.static ? STATIC_ADDRESS : null, distro });
const userData = (c: Case) => renderAutoinstall(commonProfileSchema.parse(c.profile), autoinstallSectionSchema.parse(c.ai ?? {}), ctxOf(c)).userData;
const preseed = (c: Case) => renderPreseed(commonProfileSchema.parse(c.profile), preseedSectionSchema.parse(c.ps ?? {}), ctxOf(c, DEBIAN));
const autoinstallOf = (text: string) => {
  const y = fromYaml(text);
  if (!y.ok) throw new Error(y.message);
  return (y.value as Obj).autoinstall as Obj;
};

/** Stand-ins for the installer's tools: each records its argv (NUL-separated) under `dir/log`. */
function fakeBin(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  const record = (name: string) => `printf '%s\\0' ${name} "$@" >>"${dir}/log"; printf '\\n' >>"${dir}/log"`;
  write('curtin', `${record('curtin')}\nexit 0`);
  write('wget', `${record('wget')}\nexit 0`);
  write('logger', `${record('logger')}\nexit 0`);
  // d-i's in-target chroots into /target: here the target is dir/target, and the script is kept for checking.
  write('in-target', `${record('in-target')}\ncp "${dir}/target$2" "${dir}/received-$(basename "$2")"\nexit 0`);
  return bin;
}
const calls = (dir: string) =>
  existsSync(join(dir, 'log'))
    ? readFileSync(join(dir, 'log'), 'utf8')
        .split('\0\n')
        .filter(Boolean)
        .map((l) => l.split('\0'))
    : [];

describe.skipIf(skipCloudInit)('autoinstall user-data vs cloud-init 22.4', () => {
  it.each(CASES)('$name: cloud-init schema accepts the user-data and the nested user-data', async (c) => {
    const text = userData(c);
    const { stdout } = await run('cloud-init', ['schema', '--config-file', file('user-data', text)]);
    expect(stdout).toMatch(/^Valid cloud-config:/);
    const nested = autoinstallOf(text)['user-data'] as Obj | undefined;
    if (!nested) return;
    const inner = file('nested-user-data', `#cloud-config\n${toYaml(nested)}`);
    const r = spawnSync('cloud-init', ['schema', '--config-file', inner], { encoding: 'utf8' });
    if (Array.isArray(nested.users) && nested.users.length === 0) {
      // `users: []` is cloud-init's documented "create no default user" (cc_users_groups example 8); 22.4's
      // schema wrongly had minItems 1 (fixed upstream in 23.2, commit 3ee38468 "users: schema permit empty
      // list"). Ubuntu 22.04.3+ and 24.04 ship cloud-init >= 23.2. Require that to be the only complaint.
      expect(r.stderr).toContain('Cloud config schema errors: users: [] is too short');
      expect(r.stderr.replace('users: [] is too short', '')).not.toMatch(/\w+: .* (is|are) /);
      const rest = { ...nested };
      delete rest.users;
      const { stdout: ok } = await run('cloud-init', ['schema', '--config-file', file('nested-without-users', `#cloud-config\n${toYaml(rest)}`)]);
      expect(ok).toMatch(/^Valid cloud-config:/);
    } else {
      expect([r.status, r.stderr]).toEqual([0, '']);
    }
  });

  it('cloud-init sees a broken file as broken (the check has teeth)', () => {
    const r = spawnSync('cloud-init', ['schema', '--config-file', file('broken', '#cloud-config\nautoinstall:\n  version: one\nruncmd: 5\n')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });
});

describe.skipIf(skipPyYaml)('autoinstall user-data vs PyYAML', () => {
  it.each(CASES)('$name: PyYAML reads exactly what rackboot meant', async (c) => {
    const text = userData(c);
    const p = file('pyyaml', text);
    const { stdout } = await run(PYTHON, ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8"))))', p]);
    const mine = fromYaml(text);
    expect(mine.ok && JSON.parse(stdout)).toEqual(mine.ok && mine.value);
  });
});

describe.skipIf(skipShell)('embedded shell: sh -n, and run with stand-ins', () => {
  it.each(CASES)('$name: autoinstall commands parse, the post script reaches curtin in-target as one exact argument', async (c) => {
    const a = autoinstallOf(userData(c));
    const cmds = [...(a['early-commands'] as string[]), ...(a['late-commands'] as string[])];
    for (const cmd of cmds) {
      const r = spawnSync('sh', ['-n', '-c', cmd], { encoding: 'utf8' });
      expect([cmd, r.status, r.stderr]).toEqual([cmd, 0, '']);
    }
    const dir = join(work.path, `ai-${++n}`);
    mkdirSync(dir);
    const bin = fakeBin(dir);
    for (const cmd of a['late-commands'] as string[]) {
      if (cmd.startsWith('curtin ') || cmd.startsWith('wget ')) await run('sh', ['-c', cmd], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    }
    const log = calls(dir);
    const post = log.find((l) => l[0] === 'curtin' && l[3] === 'sh' && l[4] === '-c');
    if (c.profile.postScript) expect(post).toEqual(['curtin', 'in-target', '--', 'sh', '-c', c.profile.postScript]);
    expect(log.at(-1)).toEqual(['wget', '-q', '-T', '10', '-t', '2', '-O', '/dev/null', ctxOf(c).callbacks.done]);
    expect(existsSync('/tmp/pwned-a') || existsSync('/tmp/pwned-b') || existsSync('/tmp/pwned-c')).toBe(false);
  });

  it.each(CASES)('$name: preseed commands parse, run under busybox sh as in d-i, and carry the scripts byte for byte', async (c) => {
    const text = preseed(c);
    const values = new Map(preseedLines(text).map((l) => [l.question, l.value]));
    const dir = join(work.path, `ps-${++n}`);
    mkdirSync(join(dir, 'target', 'tmp'), { recursive: true });
    const bin = fakeBin(dir);
    // d-i's shell is busybox ash with its own base64; its applets (wget, logger) win over PATH, so those
    // stand-ins are functions; in-target is a script in d-i too and comes from PATH.
    const shell = has('busybox') ? ['busybox', 'sh'] : ['sh'];
    const stubs = ['wget', 'logger'].map((t) => `${t}() { "${bin}/${t}" "$@"; }; `).join('');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    for (const q of ['preseed/early_command', 'preseed/late_command', 'partman/early_command']) {
      const v = values.get(q);
      if (v === undefined) continue;
      const r = spawnSync(shell[0]!, [...shell.slice(1), '-n', '-c', v], { encoding: 'utf8' });
      expect([q, r.status, r.stderr]).toEqual([q, 0, '']);
    }
    // The late command as d-i runs it (`sh -c "$command"`), with /target moved under the work directory.
    const late = values.get('preseed/late_command')!.replaceAll('>/target/', `>${dir}/target/`).replaceAll('rm -f /target/', `rm -f ${dir}/target/`);
    await run(shell[0]!, [...shell.slice(1), '-c', stubs + late], { cwd: dir, env });
    if (c.profile.postScript) expect(readFileSync(join(dir, 'received-rackboot-post.sh'), 'utf8')).toBe(c.profile.postScript);
    expect(existsSync(join(dir, 'target', 'tmp', 'rackboot-post.sh'))).toBe(false);
    const log = calls(dir);
    expect(log.at(-1)).toEqual(['wget', '-q', '-O', '/dev/null', ctxOf(c).callbacks.done]);
    expect(log.some((l) => l[0] === 'logger')).toBe(c.ps?.lateCommand !== undefined); // the broken imported command fails, is logged, and the rest goes on
    // The early command's pre script, decoded by the same pipeline, is the profile's text.
    const early = values.get('preseed/early_command')!.replaceAll('/tmp/rackboot-pre.sh', `${dir}/pre.sh`).replace(/ && sh \S+pre\.sh/, ' && true').replace('; kill-all-dhcp; netcfg', '');
    await run(shell[0]!, [...shell.slice(1), '-c', stubs + early], { cwd: dir, env });
    if (c.profile.preScript) expect(readFileSync(join(dir, 'pre.sh'), 'utf8')).toBe(c.profile.preScript);
    expect(existsSync('/tmp/pwned-a') || existsSync('/tmp/pwned-b') || existsSync('/tmp/pwned-c')).toBe(false);
    rmSync(join(dir, 'target'), { recursive: true, force: true });
  });
});

describe.skipIf(skipDebconf)('preseed vs debconf-set-selections', () => {
  it.each(CASES)('$name: --checkonly accepts every line, silently', async (c) => {
    const { stdout, stderr } = await run('debconf-set-selections', ['--checkonly', file('preseed.cfg', preseed(c))]);
    expect([stdout, stderr]).toEqual(['', '']);
  });

  it('debconf sees a broken file as broken (the check has teeth)', () => {
    const r = spawnSync('debconf-set-selections', ['--checkonly', file('broken.cfg', 'd-i onlytwo\nd-i a/b strnig x\n')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Unknown type strnig/);
  });
});
