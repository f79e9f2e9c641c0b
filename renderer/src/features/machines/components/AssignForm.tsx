import { useState, type FormEvent } from 'react';
import { HostnameSchema, Ipv4Schema, type MachineSummary } from '../../../../../shared/api/contract.ts';
import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { machineSelectors } from '../store/slice.ts';

/**
 * ISO + answer profile (or none) + host name, then arm: the machine installs on its next network boot. The
 * host name is checked with the contract's own schema (the core checks again).
 */
export function AssignForm({ machine }: { machine: MachineSummary }) {
  const isos = useApp(machineSelectors.isos);
  const profiles = useApp(machineSelectors.profiles);
  const busy = useApp(machineSelectors.busy) === machine.mac;
  const { assign } = useApp(machineSelectors.actions);
  const settings = useApp(selectors.settings);
  const { saveSettings } = useApp(selectors.actions);
  const reserved = settings?.reservations.find((r) => r.mac === machine.mac)?.ip ?? '';
  const [ip, setIp] = useState(reserved);
  const [isoId, setIsoId] = useState(machine.isoId ?? '');
  const [profile, setProfile] = useState(machine.profile ?? '');
  const [hostname, setHostname] = useState(machine.hostname ?? '');
  const [confirming, setConfirming] = useState(false);
  const name = hostname.trim();
  const nameCheck = name ? HostnameSchema.safeParse(name) : null;
  const nameError = nameCheck && !nameCheck.success ? (nameCheck.error.issues[0]?.message ?? 'not a host name') : null;
  const fixed = ip.trim();
  const ipError = fixed && !Ipv4Schema.safeParse(fixed).success ? 'an IPv4 address like 198.18.0.50' : null;
  const iso = isos.find((i) => i.id === isoId);
  const ready = Boolean(iso) && !nameError && !ipError && !busy;

  /** Any change takes back a confirmation asked for the old choice. */
  const edit = (apply: (value: string) => void) => (e: { target: { value: string } }) => {
    apply(e.target.value);
    setConfirming(false);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    if (!confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    // The fixed address is a DHCP reservation (full mode hands it out; static answer files use it).
    if (fixed !== reserved && settings) {
      const others = settings.reservations.filter((r) => r.mac !== machine.mac);
      void saveSettings({ reservations: fixed ? [...others, { mac: machine.mac, ip: fixed, hostname: name || null }] : others });
    }
    void assign({ mac: machine.mac, isoId, profile: profile || null, hostname: name || null });
  };

  return (
    <form className="assign" onSubmit={submit} aria-labelledby={`assign-${machine.mac}`}>
      <h3 id={`assign-${machine.mac}`}>Install</h3>
      <label>
        <span>ISO</span>
        <select value={isoId} onChange={edit(setIsoId)} required>
          <option value="" disabled>
            {isos.length ? 'Choose an ISO…' : 'No ISO yet: add one on Setup'}
          </option>
          {isos.map((i) => (
            <option key={i.id} value={i.id} disabled={!i.netboot}>
              {i.name ?? i.label}
              {i.netboot ? '' : ' (cannot network-boot)'}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Answer profile</span>
        <select value={profile} onChange={edit(setProfile)}>
          <option value="">None: installer asks</option>
          {profiles.map((p) => (
            <option key={p.id} value={p.id} disabled={p.problem !== null}>
              {p.name}
              {p.problem ? ' (needs fixing)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Host name</span>
        <input
          value={hostname}
          onChange={edit(setHostname)}
          placeholder="optional, e.g. rack1-node04"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `hn-err-${machine.mac}` : undefined}
          spellCheck={false}
          autoComplete="off"
        />
      </label>
      {nameError && (
        <p className="field-error" id={`hn-err-${machine.mac}`}>
          {nameError}
        </p>
      )}
      <label>
        <span>Fixed IP</span>
        <input
          value={ip}
          onChange={edit(setIp)}
          placeholder="optional: a DHCP reservation"
          aria-invalid={ipError ? true : undefined}
          aria-describedby={ipError ? `ip-err-${machine.mac}` : undefined}
          spellCheck={false}
          autoComplete="off"
          inputMode="decimal"
        />
      </label>
      {ipError && (
        <p className="field-error" id={`ip-err-${machine.mac}`}>
          {ipError}
        </p>
      )}
      {confirming && iso ? (
        <div className="confirm" role="group" aria-label="Confirm the install">
          <p>
            On its next network boot {machine.mac} installs <strong>{iso.name ?? iso.label}</strong>
            {profile ? ' unattended' : ''}. Whatever is on its disk may be erased.
          </p>
          <div className="confirm-buttons">
            <button type="submit" className="btn primary" autoFocus disabled={!ready}>
              Arm the install
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="submit" className="btn primary" disabled={!ready}>
          Assign and arm…
        </button>
      )}
    </form>
  );
}
