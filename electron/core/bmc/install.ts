/**
 * "Install this machine" in one step (issue 12): arm the one-shot install, set PXE for the next boot only
 * through the machine's BMC (so the disk stays first in the boot order: no reinstall loop even if the
 * one-shot state were lost, boot-chains.md §7), then power on, or cycle a machine that is running. The boot
 * device is set right before the power command: a BMC may drop a one-time flag about 60 s after it was set
 * when no chassis control follows (IPMI v2.0 §28.12). Each step is an event on the machine's timeline.
 * Many machines go a few at a time.
 */
import type { BootEventInput } from '../../../shared/model/event.ts';
import { BmcError } from '../../../shared/api/errors.ts';
import { BootDevice, ChassisAction } from '../../../shared/protocol/ipmi/commands.ts';
import type { Machines } from '../boot/machines.ts';
import type { BmcCredentials, BmcSettings } from './credentials.ts';
import { withIpmi } from './ipmi.ts';
import { resetTypeFor, withRedfish } from './redfish.ts';

export interface InstallResult {
  mac: string;
  isoId: string;
  protocol: BmcSettings['protocol'];
  /** The boot override as sent. */
  boot: { device: 'pxe'; once: true; mode: 'uefi' | 'legacy' };
  /** What the power was, and the command sent ('on' or 'cycle'; the Redfish ResetType for Redfish). */
  power: { wasOn: boolean; sent: string };
  /** Something the technician should know (a BMC without boot mode override, ...). */
  note: string | null;
}

export interface BmcInstaller {
  install(mac: string): Promise<InstallResult>;
  /** Several machines, `concurrency` at a time (default 3); one failure does not stop the others. */
  installMany(macs: string[], concurrency?: number): Promise<({ ok: true; result: InstallResult } | { ok: false; mac: string; code: string; message: string })[]>;
}

export interface InstallerOptions {
  machines: Machines;
  credentials: BmcCredentials;
  emit: (e: BootEventInput) => void;
  /** IPMI per-try timeout (tests). */
  timeoutMs?: number;
}

export function createBmcInstaller(o: InstallerOptions): BmcInstaller {
  const say = (mac: string, level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}) => o.emit({ service: 'core', level, mac, msg: `${mac}: ${msg}`, fields: { bmc: fields } });

  async function install(macInput: string): Promise<InstallResult> {
    const machine = o.machines.get(macInput);
    if (!machine) throw new BmcError('BMC_NOT_SET', `no machine ${macInput}`);
    const mac = machine.mac;
    const stored = o.credentials.secret(mac);
    if (!stored) throw new BmcError('BMC_NOT_SET', `${mac} has no BMC set: enter its BMC address and user first, or power it on by hand`);
    const { settings, password } = stored;
    // Armed first: whatever the BMC then does, the next network boot installs (machines.rearm throws NO_ISO).
    const armed = o.machines.rearm(mac);
    const mode: 'uefi' | 'legacy' = settings.mode ?? (armed.firmware === 'bios' ? 'legacy' : 'uefi');
    const where = `${settings.protocol} ${settings.host}${settings.port ? `:${settings.port}` : ''}`;
    try {
      let result: InstallResult;
      if (settings.protocol === 'ipmi') {
        result = await withIpmi({ host: settings.host, port: settings.port ?? undefined, username: settings.username, password, cipherSuite: settings.cipherSuite, timeoutMs: o.timeoutMs }, async (s) => {
          const wasOn = (await s.chassisStatus()).powerOn;
          await s.setBootDevice({ device: BootDevice.pxe, persistent: false, efi: mode === 'uefi' });
          say(mac, 'info', `BMC (${where}, cipher suite ${s.cipherSuite}): PXE for the next boot only, ${mode === 'uefi' ? 'UEFI' : 'legacy BIOS'}`, { step: 'bootdev', mode });
          await s.chassisControl(wasOn ? ChassisAction.POWER_CYCLE : ChassisAction.POWER_UP);
          return { mac, isoId: armed.isoId!, protocol: 'ipmi', boot: { device: 'pxe', once: true, mode }, power: { wasOn, sent: wasOn ? 'cycle' : 'on' }, note: null };
        });
      } else {
        result = await withRedfish(
          { url: `https://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}${settings.port ? `:${settings.port}` : ''}`, username: settings.username, password, fingerprint: settings.fingerprint },
          async (r) => {
            const st = await r.status();
            const wasOn = st.powerState === 'On';
            const boot = await r.setBootOverride({ target: 'Pxe', enabled: 'Once', mode: mode === 'uefi' ? 'UEFI' : 'Legacy' });
            say(mac, 'info', `BMC (${where}): PXE for the next boot only, ${mode === 'uefi' ? 'UEFI' : 'legacy BIOS'}`, { step: 'bootdev', mode, note: boot.note });
            const sent = resetTypeFor(wasOn ? 'cycle' : 'on', st.resetTypes, wasOn);
            await r.reset(sent);
            return { mac, isoId: armed.isoId!, protocol: 'redfish', boot: { device: 'pxe', once: true, mode }, power: { wasOn, sent }, note: boot.note };
          },
        );
      }
      say(mac, 'info', `BMC: ${result.power.wasOn ? 'power cycled' : 'powered on'} to install ${result.isoId}`, { step: 'power', sent: result.power.sent });
      return result;
    } catch (e) {
      if (e instanceof BmcError) say(mac, 'warn', `BMC (${where}) failed: ${e.message}; the install stays armed: power the machine on by hand`, { step: 'failed', code: e.code });
      throw e;
    }
  }

  return {
    install,
    async installMany(macs, concurrency = 3) {
      const results: Awaited<ReturnType<BmcInstaller['installMany']>> = new Array(macs.length);
      let next = 0;
      const worker = async () => {
        while (next < macs.length) {
          const i = next++;
          try {
            results[i] = { ok: true, result: await install(macs[i]!) };
          } catch (e) {
            const err = e as Error & { code?: string };
            results[i] = { ok: false, mac: macs[i]!, code: err.code ?? 'INTERNAL', message: err.message };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, macs.length)) }, worker));
      return results;
    },
  };
}
