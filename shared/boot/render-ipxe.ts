/**
 * Per-machine iPXE scripts (boot-chains §3.4): served at boot/<mac-hyphen>.ipxe to an iPXE that rackboot chained
 * (BIOS undionly.kpxe, UEFI snponly.efi / ipxe.efi). Kernel and initrd over HTTP. One script for both
 * platforms: local boot branches on `${platform}` at run time (BIOS `sanboot` the first disk, EFI `exit` to
 * the firmware's next boot entry; boot-chains §7). `;` is not special in iPXE, so `ds=nocloud-net;s=...` goes
 * as is; `${` would be expanded, newlines would start new commands: such arguments are refused.
 */
import type { BootScript, InstallEntry } from './decide.ts';
import { isSafeArg } from './kernel-args.ts';
import { ipxeScriptPath } from './paths.ts';

export interface IpxeRenderOptions {
  address: string;
  httpPort: number;
}

/** Text iPXE prints (`echo`, `item`, `menu` titles): one line, no `${`. */
function text(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').replaceAll('${', '$ {');
}

function checkArgs(e: InstallEntry): void {
  const bad = e.args.find((a) => !isSafeArg(a));
  if (bad !== undefined) throw new Error(`kernel argument not representable in iPXE: ${JSON.stringify(bad)}`);
  for (const p of [e.kernel, e.initrd]) if (!isSafeArg(p)) throw new Error(`path not representable in iPXE: ${JSON.stringify(p)}`);
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

function installLines(e: InstallEntry, o: IpxeRenderOptions, label: string): string[] {
  checkArgs(e);
  const iso = `http://${o.address}:${o.httpPort}/iso/${e.isoId}/`;
  const initrdName = basename(e.initrd);
  return [
    `:${label}`,
    `echo rackboot: ${text(e.title)}`,
    'imgfree',
    // initrd=<name>: the EFI stub loads the initrd by that name (harmless on BIOS, where iPXE passes it itself).
    `kernel ${iso}${e.kernel} initrd=${initrdName} ${e.args.join(' ')} || goto failed`,
    `initrd --name ${initrdName} ${iso}${e.initrd} || goto failed`,
    'boot || goto failed',
  ];
}

const LOCAL = [
  ':local',
  'echo rackboot: booting from the local disk',
  'iseq ${platform} efi && goto local_exit ||',
  'sanboot --no-describe --drive 0x80 || goto local_exit',
  ':local_exit',
  'exit',
];

const FAILED = [':failed', 'echo rackboot: the boot failed; booting from the local disk in 10 seconds', 'sleep 10', 'goto local'];

/**
 * The query iPXE fills in from SMBIOS (`${serial}`, `${asset}` chassis asset tag, `${uuid}`), URI-escaped
 * (`:uristring`), so the core can match a planned machine it does not know by MAC or DHCP UUID.
 */
export const IPXE_IDENTITY_QUERY = 'serial=${serial:uristring}&asset=${asset:uristring}&uuid=${uuid}';

/**
 * For a machine the plan may be waiting for: chain back to its own script with its SMBIOS values. The core
 * answers that request with the real script (install when a plan row matched; else the unknown-machine policy)
 * and never with this one again, so there is no loop. `exit` after a chained script that returned.
 */
export function renderIpxeIdentify(mac: string, o: IpxeRenderOptions): string {
  return [
    '#!ipxe',
    `# rackboot ${mac}: not known by MAC or UUID; reporting its SMBIOS serial, asset tag and UUID to find its plan row`,
    `chain http://${o.address}:${o.httpPort}/${ipxeScriptPath(mac)}?${IPXE_IDENTITY_QUERY} || goto local`,
    'exit',
    ...LOCAL,
    '',
  ].join('\n');
}

export function renderIpxe(script: BootScript, o: IpxeRenderOptions): string {
  const head = ['#!ipxe', `# rackboot ${script.mac}: ${text(script.reason)}`];
  let body: string[];
  switch (script.kind) {
    case 'install':
      body = [...installLines(script.entry, o, 'install'), ...FAILED];
      break;
    case 'local':
      body = ['goto local'];
      break;
    case 'menu': {
      const ms = Math.max(0, Math.round(script.timeoutSeconds * 1000));
      body = [
        `menu rackboot ${script.mac} || goto local`,
        'item local Boot from local disk',
        ...script.entries.map((e, i) => `item iso${i + 1} ${text(e.title)}`),
        `choose --default local --timeout ${ms} target || goto local`,
        'goto ${target}',
        ...script.entries.flatMap((e, i) => installLines(e, o, `iso${i + 1}`)),
        ...FAILED,
      ];
      break;
    }
  }
  return [...head, ...body, ...LOCAL, ''].join('\n');
}
