import { describe, expect, it } from 'vitest';
import { detectDistro } from '../distro/detect.ts';
import { centos7, debian12, rhelTree, ubuntu2404Server, windows11, type IsoFixture } from '../distro/fixtures.ts';
import { memorySource } from '../distro/source.ts';
import { answerFileName, bootstrapAnswer } from './bootstrap-answers.ts';

const info = (f: IsoFixture) => detectDistro(memorySource(f.label, f.files));
const ctx = { isoUrl: 'http://198.18.0.1:8080/iso/x/', callbackBase: 'http://198.18.0.1:8080/api/callback/52-54-00-12-34-56', token: 'T0KEN', hostname: 'node07' };
const rocky9 = rhelTree({ label: 'Rocky-9-4-x86_64-dvd', name: 'Rocky Linux', short: 'Rocky', version: '9.4', repo: 'variants' });

describe('bootstrap answer files', () => {
  it.each([
    ['RHEL 9 family', rocky9, 'ks.cfg'],
    ['CentOS 7', centos7, 'ks.cfg'],
    ['Debian 12', debian12, 'preseed.cfg'],
    ['Ubuntu 24.04 server', ubuntu2404Server, 'user-data'],
  ])('%s: fetched as %s, installs from the ISO and carries both token-bearing callbacks', async (_, fixture, name) => {
    const d = await info(fixture);
    expect(answerFileName(d)).toBe(name);
    const text = bootstrapAnswer(d, name, ctx)!;
    expect(text).toContain(`${ctx.callbackBase}/started?token=T0KEN`);
    expect(text).toContain(`${ctx.callbackBase}/done?token=T0KEN`);
    expect(text).toMatch(/^# rackboot-callback: \S+started\S+ \S+done\S+$/m);
  });

  it('kickstart: url at the ISO root, install only for RHEL 7, %pre and %post callbacks, the host name', async () => {
    const ks9 = bootstrapAnswer(await info(rocky9), 'ks.cfg', ctx)!;
    expect(ks9).toMatch(/^url --url=http:\/\/198\.18\.0\.1:8080\/iso\/x\/$/m);
    expect(ks9).not.toMatch(/^install$/m);
    expect(ks9).toMatch(/^network --bootproto=dhcp --hostname=node07$/m);
    expect(ks9).toMatch(/^%pre\n.*started.*\n%end$/m);
    expect(ks9).toMatch(/^%post --nochroot\n.*done.*\n%end$/m);
    expect(bootstrapAnswer(await info(centos7), 'ks.cfg', ctx)).toMatch(/^install$/m);
  });

  it('preseed: early and late commands call back; autoinstall: version 1 with early/late commands and meta-data', async () => {
    const pre = bootstrapAnswer(await info(debian12), 'preseed.cfg', ctx)!;
    expect(pre).toMatch(/^d-i preseed\/early_command string wget .*started/m);
    expect(pre).toMatch(/^d-i preseed\/late_command string wget .*done/m);
    const u = await info(ubuntu2404Server);
    expect(bootstrapAnswer(u, 'user-data', ctx)).toMatch(/^#cloud-config\n[\s\S]*autoinstall:\n {2}version: 1/);
    expect(bootstrapAnswer(u, 'meta-data', ctx)).toBe('instance-id: rackboot-node07\nlocal-hostname: node07\n');
  });

  it('Windows and files a family does not fetch have none', async () => {
    const w = await info(windows11);
    expect(answerFileName(w)).toBeNull();
    expect(bootstrapAnswer(w, 'ks.cfg', ctx)).toBeNull();
    expect(bootstrapAnswer(await info(debian12), 'ks.cfg', ctx)).toBeNull();
  });
});
