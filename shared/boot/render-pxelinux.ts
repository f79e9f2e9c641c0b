/**
 * pxelinux.cfg files for lpxelinux.0 (BIOS; boot-chains §3.1): lpxelinux has its own TCP/IP stack, so `LINUX`
 * and `initrd=` take http:// URLs. No menu.c32 (rackboot does not ship it): the menu is `SAY` lines and the
 * plain `boot:` prompt, `DEFAULT local` after `TIMEOUT` (tenths of a second; 0 would wait forever).
 * `LINUX` rather than `KERNEL`: KERNEL guesses the image type from the extension. `IPAPPEND 2` appends
 * `BOOTIF=01-<mac>`, so the installer arguments' own BOOTIF is left out here. Local boot: `LOCALBOOT 0`.
 */
import type { BootScript, InstallEntry } from './decide.ts';
import { isSafeArg } from './kernel-args.ts';

export interface PxelinuxRenderOptions {
  address: string;
  httpPort: number;
}

function line(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function entryLines(e: InstallEntry, o: PxelinuxRenderOptions, label: string): string[] {
  const args = e.args.filter((a) => !/^BOOTIF=/i.test(a));
  const bad = [e.kernel, e.initrd, ...args].find((a) => !isSafeArg(a));
  if (bad !== undefined) throw new Error(`not representable in a pxelinux APPEND line: ${JSON.stringify(bad)}`);
  const iso = `http://${o.address}:${o.httpPort}/iso/${e.isoId}/`;
  return [`LABEL ${label}`, `  LINUX ${iso}${e.kernel}`, `  APPEND initrd=${iso}${e.initrd} ${args.join(' ')}`, '  IPAPPEND 2'];
}

const LOCAL = ['LABEL local', '  LOCALBOOT 0'];

export function renderPxelinux(script: BootScript, o: PxelinuxRenderOptions): string {
  const head = [`# rackboot ${script.mac}: ${line(script.reason)}`];
  let body: string[];
  switch (script.kind) {
    case 'install':
      body = ['DEFAULT install', 'PROMPT 0', `SAY rackboot: ${line(script.entry.title)}`, ...entryLines(script.entry, o, 'install'), ...LOCAL];
      break;
    case 'local':
      body = ['DEFAULT local', 'PROMPT 0', 'SAY rackboot: booting from the local disk', ...LOCAL];
      break;
    case 'menu': {
      const tenths = Math.max(1, Math.round(script.timeoutSeconds * 10));
      body = [
        'DEFAULT local',
        'PROMPT 1',
        `TIMEOUT ${tenths}`,
        `SAY rackboot ${script.mac}: type a choice and Enter (local disk in ${Math.round(tenths / 10)} s)`,
        'SAY   local  Boot from local disk (default)',
        ...script.entries.map((e, i) => `SAY   ${i + 1}      ${line(e.title)}`),
        ...LOCAL,
        ...script.entries.flatMap((e, i) => entryLines(e, o, String(i + 1))),
      ];
      break;
    }
  }
  return [...head, ...body, ''].join('\n');
}
