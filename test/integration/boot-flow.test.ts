/**
 * The one-shot install lifecycle over real clients on loopback: a machine armed with an ISO gets an install
 * config from every loader (iPXE script and answer file over HTTP with curl, pxelinux and GRUB configs over TFTP
 * with tftp-hpa), the installer's callbacks move it to done only with the right token, and from then on every
 * loader boots it from its disk until it is re-armed. The machine's stages are events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetInterface } from '../../shared/api/contract.ts';
import type { BootEvent } from '../../shared/model/event.ts';
import { createBootServer, type BootServer } from '../../electron/core/server.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing, run } from '../helpers/tools.ts';

const nics: NetInterface[] = [
  { name: 'lo', mac: null, up: true, loopback: true, wireless: false, mtu: 65536, ipv4: [{ address: '127.0.0.1', prefix: 8, network: '127.0.0.0' }] },
];
const MAC = '52:54:00:6b:00:01';
const HYPHEN = '52-54-00-6b-00-01';
const ID = 'rocky-9.4-x86_64-dvd';

let dir: ReturnType<typeof tempDir>;
let core: BootServer;
let http: string;
let tftpPort: number;
const events: BootEvent[] = [];

beforeAll(async () => {
  dir = tempDir('rackboot-bootflow-');
  if (missing('xorriso', 'curl', 'tftp')) return;
  const iso = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(100_000, 1), bytes(200_000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
  core = createBootServer({ dataDir: join(dir.path, 'data'), listInterfaces: () => nics, dhcpPorts: { server: 0, client: 0, proxy: 0 } });
  core.events.subscribe((e) => events.push(e));
  const base = 20000 + Math.floor(Math.random() * 40000);
  http = `http://127.0.0.1:${base}`;
  tftpPort = base + 1;
  await core.api.setSettings({ interface: 'lo', dhcpMode: 'off', httpPort: base, tftpPort, isos: [iso], kernelConsole: 'ttyS0,115200n8' });
  await core.api.startServer(undefined);
});
afterAll(async () => {
  await core?.close();
  dir.remove();
});

const curl = async (path: string) => {
  const { stdout } = await run('curl', ['-sS', '--path-as-is', '-w', '\n%{http_code}', `${http}/${path}`]);
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
};
const tftp = async (path: string) => {
  const out = join(dir.path, `tftp-${Math.random().toString(36).slice(2)}`);
  // tftp-hpa reads `a:b` in a file name as host:file, so names with colons (GRUB's per-MAC files) go by curl.
  if (path.includes(':')) await run('curl', ['-sS', '-o', out, `tftp://127.0.0.1:${tftpPort}/${path}`]);
  else await run('tftp', ['-m', 'binary', '127.0.0.1', String(tftpPort), '-c', 'get', path, out]);
  return readFileSync(out, 'utf8');
};

describe.skipIf(missing('xorriso', 'curl', 'tftp'))('install lifecycle over HTTP and TFTP', () => {
  it('an unplanned machine gets a boot menu whose default is its local disk', async () => {
    const script = await curl('boot/52-54-00-6b-00-99.ipxe');
    expect(script.status).toBe(200);
    expect(script.body).toMatch(/^#!ipxe/);
    expect(script.body).toContain('Install Rocky Linux 9.4');
    expect(script.body).toMatch(/local/i);
  });

  it('armed: every loader gets the install, the answer file carries the token, callbacks finish it, then local boot', async () => {
    await core.api.assignMachine({ mac: MAC, isoId: ID, hostname: 'node01' });

    const ipxe = await curl(`boot/${HYPHEN}.ipxe`);
    expect(ipxe.body).toContain(`kernel ${http.replace('127.0.0.1', '127.0.0.1')}/iso/${ID}/images/pxeboot/vmlinuz`);
    expect(ipxe.body).toContain(`inst.repo=${http}/iso/${ID}/`);
    expect(ipxe.body).toContain(`inst.ks=${http}/answers/${HYPHEN}/ks.cfg`);
    expect(ipxe.body).toContain('console=ttyS0,115200n8');
    expect(ipxe.body).toMatch(new RegExp(`initrd --name initrd\\.img ${http}/iso/${ID}/images/pxeboot/initrd\\.img`));

    const pxelinux = await tftp(`pxelinux.cfg/01-${HYPHEN}`);
    expect(pxelinux).toMatch(new RegExp(`LINUX ${http}/iso/${ID}/images/pxeboot/vmlinuz`));
    expect(pxelinux).toMatch(/IPAPPEND 2/);
    const grub = await tftp(`grub/grub.cfg-${MAC}`);
    expect(grub).toMatch(new RegExp(`linux \\(tftp,127\\.0\\.0\\.1\\)/iso/${ID}/images/pxeboot/vmlinuz`));
    expect(await tftp('grub/grub.cfg')).toContain('net_default_mac');
    // The distro GRUB's own search next to its shim gets a generated file, never the ISO's CD-boot grub.cfg.
    const distro = await tftp(`iso/${ID}/EFI/BOOT/grub.cfg-01-${HYPHEN}`);
    expect(distro).toContain(`/iso/${ID}/images/pxeboot/vmlinuz`);
    expect(await tftp(`iso/${ID}/EFI/BOOT/grub.cfg`)).not.toContain('hd:LABEL');

    const ks = await curl(`answers/${HYPHEN}/ks.cfg`);
    expect(ks.status).toBe(200);
    expect(ks.body).toMatch(/^network --bootproto=dhcp --hostname=node01$/m);
    const token = /token=([0-9a-f]+)/.exec(ks.body)![1]!;
    expect((await core.api.listMachines(undefined)).find((m) => m.mac === MAC)).toMatchObject({ state: 'installing', stage: { stage: 'answer' } });

    // A retried netboot while installing boots the disk: the installer already has what it needs.
    expect((await curl(`boot/${HYPHEN}.ipxe`)).body).not.toContain('kernel ');

    expect((await curl(`api/callback/${HYPHEN}/done?token=wrong`)).status).toBe(404);
    expect((await curl(`api/callback/${HYPHEN}/started?token=${token}`)).status).toBe(200);
    expect((await curl(`api/callback/${HYPHEN}/done?token=${token}`)).status).toBe(200);
    expect((await core.api.listMachines(undefined)).find((m) => m.mac === MAC)).toMatchObject({ state: 'installed', stage: { stage: 'done', progress: 100 } });
    // The token is spent: a replayed callback changes nothing.
    expect((await curl(`api/callback/${HYPHEN}/done?token=${token}`)).status).toBe(404);

    // Installed: every loader boots the local disk, and the answer file is no longer served.
    expect((await curl(`boot/${HYPHEN}.ipxe`)).body).toMatch(/exit/);
    expect((await curl(`boot/${HYPHEN}.ipxe`)).body).not.toContain('kernel ');
    expect(await tftp(`pxelinux.cfg/01-${HYPHEN}`)).toMatch(/LOCALBOOT/);
    expect(await tftp(`grub/grub.cfg-${MAC}`)).toMatch(/exit/);
    expect((await curl(`answers/${HYPHEN}/ks.cfg`)).status).toBe(404);

    // Re-armed: installs again with a new token.
    await core.api.rearmMachine({ mac: MAC });
    expect((await curl(`boot/${HYPHEN}.ipxe`)).body).toContain('inst.ks=');
    const ks2 = await curl(`answers/${HYPHEN}/ks.cfg`);
    expect(/token=([0-9a-f]+)/.exec(ks2.body)![1]).not.toBe(token);

    const stages = events.filter((e) => e.mac === MAC && typeof e.fields?.stage === 'string').map((e) => e.fields!.stage);
    expect(stages).toEqual(expect.arrayContaining(['config', 'answer', 'installer', 'done', 'local']));
  });

  it('a machine with an answer profile gets the rendered kickstart: its host name, its MAC, a hashed password, the live token', async () => {
    const mac = '52:54:00:6b:00:02';
    const hyphen = '52-54-00-6b-00-02';
    const imported = await core.api.importAnswerFile({ family: 'kickstart', text: 'lang de_DE.UTF-8\nkeyboard de\ntimezone Europe/Berlin --utc\nrootpw --plaintext s3cret\nautopart --type=lvm\n%packages\n@^minimal-environment\n%end\n' });
    expect(imported.issues.map((i) => i.code).join(' ')).toMatch(/PLAIN/);
    const saved = await core.api.saveProfile({ name: 'web servers', body: imported.body });
    expect(saved.issues).toEqual([]);
    const id = saved.profile!.id;
    // The stored body holds a hash, never the password.
    expect(JSON.stringify((await core.api.getProfile({ id })).body)).not.toContain('s3cret');

    await core.api.assignMachine({ mac, isoId: ID, hostname: 'web01', profile: id });
    const ks = await curl(`answers/${hyphen}/ks.cfg`);
    expect(ks.status).toBe(200);
    expect(ks.body).toMatch(/^lang de_DE\.UTF-8$/m);
    expect(ks.body).toMatch(/^timezone Europe\/Berlin --utc$/m);
    expect(ks.body).toMatch(/^rootpw --iscrypted \$6\$/m);
    expect(ks.body).not.toContain('s3cret');
    expect(ks.body).toMatch(new RegExp(`^network .*--device=${mac}.*--hostname=web01`, 'm'));
    expect(ks.body).toContain(`url --url=${http}/iso/${ID}/`);
    const token = /token=([0-9a-f]{24})/.exec(ks.body)![1]!;
    expect((await curl(`api/callback/${hyphen}/done?token=${token}`)).status).toBe(200);
    expect((await core.api.listMachines(undefined)).find((m) => m.mac === mac)).toMatchObject({ state: 'installed', profile: id });

    // The preview is the same file, with a token that finishes nothing.
    const preview = await core.api.renderProfile({ id, isoId: ID, mac });
    expect(preview.files.map((f) => f.name)).toEqual(['ks.cfg']);
    expect(preview.files[0]!.text).toContain('token=preview');
    // A profile in use cannot be removed.
    await expect(core.api.removeProfile({ id })).rejects.toMatchObject({ code: 'PROFILE_IN_USE' });
  });

  it('a profile that cannot be written for the machine is not served, and says why', async () => {
    const mac = '52:54:00:6b:00:03';
    // Fine for every family's fields; but a kickstart %post cannot hold a line that ends the section.
    const saved = await core.api.saveProfile({ name: 'broken', body: { name: 'broken', postScript: 'echo one\n%end\necho two' } });
    expect(saved.issues).toEqual([]);
    const id = saved.profile!.id;
    const checked = await core.api.validateProfile({ body: saved.profile!.body!, isoId: ID });
    expect(checked.family).toBe('kickstart');
    expect(checked.issues.some((i) => i.severity === 'error' && i.path.join('.') === 'postScript')).toBe(true);
    await core.api.assignMachine({ mac, isoId: ID, profile: id });
    expect((await curl('answers/52-54-00-6b-00-03/ks.cfg')).status).toBe(404);
    expect(events.some((e) => e.mac === mac && e.level === 'error' && /ks\.cfg not served: profile broken cannot be written/.test(e.msg))).toBe(true);
    await expect(core.api.assignMachine({ mac, isoId: ID, profile: 'no-such-profile' })).rejects.toMatchObject({ code: 'NO_SUCH_PROFILE' });
  });

  it('hostile per-machine paths are not found, and the server keeps serving', async () => {
    for (const p of ['boot/../boot.ipxe', 'boot/52-54-00-6b-00-0.ipxe', 'answers/52-54-00-6b-00-01/..%2f..%2fetc%2fpasswd', 'api/callback/52-54-00-6b-00-01/reboot?token=x']) {
      expect([400, 404], p).toContain((await curl(p)).status);
    }
    expect((await curl(`iso/${ID}/.treeinfo`)).status).toBe(200);
  });
});
