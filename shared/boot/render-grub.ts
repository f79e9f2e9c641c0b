/**
 * GRUB configs (boot-chains §3.2) for the two GRUBs rackboot chains under shim:
 * - Debian's signed grubnetx64 (`debian`): prefix /grub, reads grub/grub.cfg, cannot load `(http)` (not built
 *   in; modules cannot be loaded under Secure Boot; verified in QEMU) -> kernel and initrd over TFTP. Its
 *   grub/grub.cfg is the dispatcher below; the per-machine file is grub/grub.cfg-<net_default_mac>.
 * - The ISO's own GRUB (`distro`, RHEL family): reads grub.cfg-01-<mac> next to itself; `linuxefi`/`initrdefi`
 *   when the ISO needs them (RHEL 7 under Secure Boot). TFTP too, so one renderer serves both.
 * In GRUB scripts `;`, `&`, `|`, `<`, `>`, `$`, quotes, braces and `#` are special: arguments are escaped with `\`
 * (`ds=nocloud-net\;s=...`), titles single-quoted. Local boot is `exit`: back to the firmware's next boot entry.
 */
import type { BootScript, InstallEntry } from './decide.ts';
import { isSafeArg } from './kernel-args.ts';
import { DEBIAN_GRUB_CONFIG } from './paths.ts';

export interface GrubRenderOptions {
  /** The TFTP server GRUB loads kernel and initrd from: `(tftp,<address>)`. */
  address: string;
  /** `debian`: rackboot's bundled grubnetx64; `distro`: the ISO's own GRUB (may take linuxefi). */
  grub: 'debian' | 'distro';
}

/** A word GRUB passes through as written: backslash before every character its lexer treats specially. */
export function grubWord(s: string): string {
  return s.replace(/[;&|<>$"'\\{}#()!*?[\]~`]/g, (c) => `\\${c}`);
}

/** A single-quoted GRUB string (no escapes inside single quotes: `'` is closed, escaped, reopened). */
export function grubQuote(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${s.replace(/[\u0000-\u001f\u007f]/g, ' ').replaceAll("'", "'\\''")}'`;
}

function checkEntry(e: InstallEntry): void {
  const bad = [e.kernel, e.initrd, ...e.args].find((a) => !isSafeArg(a));
  if (bad !== undefined) throw new Error(`not representable as one GRUB word: ${JSON.stringify(bad)}`);
}

function entryLines(e: InstallEntry, o: GrubRenderOptions, id: string): string[] {
  checkEntry(e);
  const efi = o.grub === 'distro' && e.needsLinuxefi;
  const src = (p: string) => `(tftp,${o.address})/${grubWord(`iso/${e.isoId}/${p}`)}`;
  return [
    `menuentry ${grubQuote(e.title)} --id ${id} {`,
    `\techo ${grubQuote(`rackboot: loading ${e.title} over TFTP...`)}`,
    `\t${efi ? 'linuxefi' : 'linux'} ${src(e.kernel)} ${e.args.map(grubWord).join(' ')}`,
    `\t${efi ? 'initrdefi' : 'initrd'} ${src(e.initrd)}`,
    '}',
  ];
}

const LOCAL_ENTRY = ["menuentry 'Boot from local disk' --id local {", "\techo 'rackboot: booting from the local disk'", '\texit', '}'];

export function renderGrub(script: BootScript, o: GrubRenderOptions): string {
  const head = [`# rackboot ${script.mac}: ${script.reason.replace(/[\r\n]/g, ' ')}`, `echo ${grubQuote(`rackboot: machine ${script.mac}`)}`];
  let body: string[];
  switch (script.kind) {
    case 'install':
      // An entry that loads nothing (kernel missing...) falls back to the local disk instead of a GRUB prompt.
      body = ['set timeout=0', 'set default=install', 'set fallback=local', ...entryLines(script.entry, o, 'install'), ...LOCAL_ENTRY];
      break;
    case 'local':
      body = ['set timeout=0', 'set default=local', ...LOCAL_ENTRY];
      break;
    case 'menu':
      body = [
        `set timeout=${Math.max(0, Math.round(script.timeoutSeconds))}`,
        'set default=local',
        'set fallback=local',
        ...LOCAL_ENTRY,
        ...script.entries.flatMap((e, i) => entryLines(e, o, `iso${i + 1}`)),
      ];
      break;
  }
  return [...head, ...body, ''].join('\n');
}

/**
 * `grub/grub.cfg` for Debian's grubnetx64, which has no per-MAC search of its own (boot-chains §3.2, cf. MAAS
 * LP#1923268): load grub/grub.cfg-<net_default_mac> (colon form, lower case). When that is missing (a machine
 * rackboot has no config for) GRUB prints the error and goes on: local disk after `fallbackTimeoutSeconds`.
 */
export function renderGrubDispatcher(fallbackTimeoutSeconds = 5): string {
  return [
    `# rackboot: ${DEBIAN_GRUB_CONFIG} for Debian's grubnetx64 (prefix /grub): per-machine configs are grub.cfg-<net_default_mac>`,
    'if [ -n "$net_default_mac" ]; then',
    '\tconfigfile "$prefix/grub.cfg-$net_default_mac"',
    'fi',
    "echo 'rackboot: no configuration for this machine; booting from the local disk'",
    `set timeout=${Math.max(0, Math.round(fallbackTimeoutSeconds))}`,
    'set default=local',
    ...LOCAL_ENTRY,
    '',
  ].join('\n');
}
