/**
 * `rackboot machines ...`: the machines table from a script. JSON lines by default (`--human` for people);
 * exit 0 on success, 2 on bad arguments, 1 on a failure with a one-line reason.
 */
import { resolve } from 'node:path';
import { parseMac } from '../../shared/net/ipv4.ts';
import { HostnameSchema, ProfileIdSchema } from '../../shared/api/contract.ts';
import { answerProfileSchema } from '../../shared/answers/answer-profile.ts';
import { RackbootError } from '../../shared/api/errors.ts';
import { createProfileStore } from '../core/answers/profiles.ts';
import { createIsoLibrary } from '../core/iso/library.ts';
import { createMachines, MachineError, type Machine } from '../core/boot/machines.ts';
import { openStore, type Store } from '../core/store/store.ts';
import { defaultDataDir } from '../core/store/paths.ts';
import { parsePositional, UsageError, write } from './args.ts';

export const MACHINES_HELP = `rackboot machines: the machines rackboot knows and what it installs on them

  rackboot machines [list] [--data DIR] [--human]         every machine: MAC, host name, ISO, state, firmware, last seen
  rackboot machines assign MAC --iso ID|PATH [--hostname NAME] [--chain auto|ipxe|pxelinux|grub]
                           [--secure-boot on|off|unknown] [--profile ID|none] [--data DIR]
                                                          install that ISO on the machine's next network boot
  rackboot machines rearm MAC [--data DIR]                install again on the next boot
  rackboot machines done MAC [--data DIR]                 mark installed: local boot from now on
  rackboot machines rm MAC [--data DIR]                   forget the machine

An ISO given by path is added to the library first. --profile names an answer profile (rackboot answers list);
without one the machine gets the bootstrap answer file and its installer asks on the console. Run these while rackboot is stopped, or use the UI/API
while it serves (a running server does not see changes made here until it restarts).
`;

/** A failure that is not the caller's typing: exit 1. */
export class MachinesCommandError extends Error {}

function human(m: Machine, steps: StageStep[]): string {
  const seen = m.lastSeen ? new Date(m.lastSeen).toISOString().slice(0, 19).replace('T', ' ') : 'never';
  return `${m.mac}  ${(m.hostname ?? '-').padEnd(16)} ${(m.isoId ?? '-').padEnd(30)} ${m.state.padEnd(10)} ${(steps.at(-1)?.stage ?? '-').padEnd(9)} ${(m.firmware ?? '-').padEnd(5)} ${seen}`;
}

/** A machine's boot stages as the event log recorded them (the running server keeps them; they outlive it). */
export interface StageStep {
  stage: string;
  at: number;
  detail: string;
  bytes?: number;
}

function history(store: Store, mac: string): StageStep[] {
  return store
    .machineEvents(mac, 200)
    .filter((e) => typeof e.fields.stage === 'string')
    .map((e) => ({ stage: e.fields.stage as string, at: e.ts, detail: e.msg, ...(typeof e.fields.bytes === 'number' ? { bytes: e.fields.bytes } : {}) }));
}

function json(m: Machine, steps: StageStep[]) {
  const last = steps.at(-1);
  return {
    mac: m.mac,
    hostname: m.hostname,
    iso: m.isoId,
    profile: m.profile,
    state: m.state,
    chain: m.chain,
    secureBoot: m.secureBoot,
    firmware: m.firmware,
    arch: m.arch,
    ip: m.ip,
    firstSeen: m.firstSeen,
    lastSeen: m.lastSeen,
    installedAt: m.installedAt,
    stage: last ? { stage: last.stage, at: last.at } : null,
    history: steps,
  };
}

export async function machinesCommand(argv: string[]): Promise<void> {
  const known = ['list', 'assign', 'rearm', 'done', 'rm'];
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'list';
  if (!known.includes(sub)) throw new UsageError(`unknown machines command ${sub} (${known.join(', ')})`);
  const rest = argv[0] === sub ? argv.slice(1) : argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(MACHINES_HELP);
    return;
  }
  const { values, positionals } = parsePositional(rest, {
    data: { type: 'string' },
    human: { type: 'boolean' },
    iso: { type: 'string' },
    hostname: { type: 'string' },
    chain: { type: 'string' },
    'secure-boot': { type: 'string' },
    profile: { type: 'string' },
  });
  if (sub === 'list' && positionals.length) throw new UsageError('usage: rackboot machines [list] [--data DIR] [--human]');
  if (sub !== 'list' && positionals.length !== 1) throw new UsageError(`usage: rackboot machines ${sub} MAC [--data DIR]`);
  const mac = positionals[0] ?? '';
  if (sub !== 'list' && !parseMac(mac)) throw new UsageError(`${mac} is not a MAC address (like 52:54:00:12:34:56)`);
  if (sub !== 'assign' && (values.iso ?? values.hostname ?? values.chain ?? values['secure-boot'] ?? values.profile) !== undefined) throw new UsageError(`--iso, --hostname, --chain, --secure-boot and --profile go with assign`);
  if (values.profile !== undefined && values.profile !== 'none' && !ProfileIdSchema.safeParse(values.profile).success) throw new UsageError(`--profile ${values.profile} is not a profile id (rackboot answers list shows them)`);
  if (sub === 'assign' && !values.iso) throw new UsageError('assign needs --iso ID|PATH');
  if (values.chain !== undefined && !['auto', 'ipxe', 'pxelinux', 'grub'].includes(values.chain)) throw new UsageError(`--chain takes auto, ipxe, pxelinux or grub, not ${values.chain}`);
  if (values['secure-boot'] !== undefined && !['on', 'off', 'unknown'].includes(values['secure-boot'])) throw new UsageError(`--secure-boot takes on, off or unknown, not ${values['secure-boot']}`);
  if (values.hostname !== undefined && !HostnameSchema.safeParse(values.hostname).success) throw new UsageError(`--hostname ${values.hostname}: a host name is letters, digits and hyphens`);

  const store = openStore(resolve(values.data ?? defaultDataDir()));
  const isos = createIsoLibrary({ store, emit: () => undefined });
  const machines = createMachines({ store, emit: () => undefined, isoExists: (id) => isos.get(id) !== null });
  const print = (list: Machine[]) => {
    if (values.human) process.stdout.write(list.map((m) => human(m, history(store, m.mac))).join('\n') + (list.length ? '\n' : ''));
    else for (const m of list) write(json(m, history(store, m.mac)));
  };
  try {
    if (sub === 'list') return print(machines.list());
    if (sub === 'rm') {
      if (!machines.remove(mac)) throw new MachinesCommandError(`no machine ${mac}`);
      return;
    }
    if (sub === 'assign') {
      const iso = values.iso!;
      // An id in the library, or a path to add (and index) first.
      const rec = isos.get(iso) ?? (iso.includes('/') || /\.iso$/i.test(iso) ? await isos.add(iso).catch((e: Error) => Promise.reject(new MachinesCommandError(e.message))) : null);
      if (!rec) throw new MachinesCommandError(`no ISO ${iso} in the library (give a path to add one)`);
      const profile = values.profile === undefined ? undefined : values.profile === 'none' ? null : values.profile;
      if (profile) {
        const profiles = createProfileStore(store, { validate: (b) => answerProfileSchema.parse(b) });
        try {
          const v = profiles.get(profile);
          if (v.body === null) throw new MachinesCommandError(`answer profile ${profile} cannot be used: ${v.problem}`);
        } catch (e) {
          if (e instanceof RackbootError) throw new MachinesCommandError(e.message);
          throw e;
        } finally {
          profiles.close();
        }
      }
      return print([
        machines.assign(mac, {
          isoId: rec.id,
          ...(values.hostname !== undefined ? { hostname: values.hostname } : {}),
          ...(values.chain !== undefined ? { chain: values.chain as Machine['chain'] } : {}),
          ...(values['secure-boot'] !== undefined ? { secureBoot: values['secure-boot'] as Machine['secureBoot'] } : {}),
          ...(profile !== undefined ? { profile } : {}),
        }),
      ]);
    }
    if (sub === 'rearm') return print([machines.rearm(mac)]);
    return print([machines.markDone(mac, 'marked done from the command line')]);
  } catch (e) {
    if (e instanceof MachineError) throw new MachinesCommandError(e.message);
    throw e;
  } finally {
    await isos.close();
    store.close();
  }
}
