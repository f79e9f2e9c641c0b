/**
 * Follows each machine through its boot from the services' own events (CONVENTIONS §4): a finished TFTP or
 * HTTP transfer of a bootloader, a config, the kernel, the initrd or the answer file moves the machine to that
 * stage. The services stay unaware of machines; this module only listens.
 */
import type { BootEvent } from '../../../shared/model/event.ts';
import type { BootStage } from '../../../shared/model/stage.ts';
import type { EventBus } from '../events.ts';
import type { Machines } from './machines.ts';

/** What a served path means for the machine that fetched it, or null when it means nothing for progress. */
export type PathStage = (path: string, mac: string) => BootStage | null;

export interface ProgressOptions {
  events: EventBus;
  machines: Machines;
  stageFor: PathStage;
  /** The MAC behind an address when the event does not carry one (proxy mode: learnt from per-machine URLs). */
  macForIp: (ip: string) => string | null | undefined;
  /** Every finished transfer with its machine (whether or not it is a stage). */
  served?: (path: string, mac: string) => void;
}

/** Subscribes; returns the unsubscribe function. */
export function trackProgress(o: ProgressOptions): () => void {
  return o.events.subscribe((e: BootEvent) => {
    if (e.service !== 'tftp' && e.service !== 'http') return;
    const f = e.fields ?? {};
    if (f.outcome !== 'ok' && f.outcome !== 'no-final-ack') return;
    const path = typeof f.path === 'string' ? f.path.replace(/^\/+/, '') : null;
    if (!path) return;
    const mac = e.mac ?? (e.ip ? o.macForIp(e.ip) : null);
    if (!mac) return;
    o.served?.(path, mac);
    const stage = o.stageFor(path, mac);
    if (!stage) return;
    o.machines.stage(mac, stage, {
      msg: `${e.service.toUpperCase()} ${path}`,
      ...(typeof f.bytes === 'number' ? { bytes: f.bytes } : {}),
      ...(typeof f.ms === 'number' ? { ms: f.ms } : {}),
      ...(e.ip ? { ip: e.ip } : {}),
    });
  });
}
