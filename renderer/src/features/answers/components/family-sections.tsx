/**
 * Per-family panels: what each installer asks beyond the common profile, with the important settings as
 * controls and what an import kept verbatim (`advanced`) as raw text, written back exactly as it stands.
 */
import { fromYaml, toYaml } from '../../../../../shared/answers/autoinstall/yaml.ts';
import { canonical, getAt, joinSections, splitSections } from '../form.ts';
import { useField, useForm } from '../hooks/form-context.ts';
import { CheckField, ChoiceField, FieldIssues, Group, ListField, NumberField, RawField, SelectField, TextField } from './controls.tsx';

const YES_NO_DEFAULT = [
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

/** A boolean that may be unset (the installer's default), as a drop-down. */
function TriState({ path, label, hint }: { path: readonly (string | number)[]; label: string; hint?: string }) {
  const f = useField<boolean>(path);
  const current = f.value === undefined ? '' : String(f.value);
  return (
    <div className={`af-field${f.invalid ? ' invalid' : ''}`}>
      <label className="af-label" htmlFor={f.id}>
        {label}
      </label>
      <select id={f.id} value={current} disabled={f.readOnly} onChange={(e) => f.set(e.target.value === '' ? undefined : e.target.value === 'true')}>
        <option value="">Installer’s default</option>
        {YES_NO_DEFAULT.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      <FieldIssues id={f.id} issues={f.issues} />
      {hint && <p className="af-hint">{hint}</p>}
    </div>
  );
}

// ------------------------------------------------------------------------------------------------ kickstart

const sectionsText = { show: (v: unknown) => joinSections(v), parse: (t: string) => ({ value: splitSections(t) }), same: (t: string, v: unknown) => canonical(splitSections(t)) === canonical(v ?? []) };

export function KickstartSection() {
  const form = useForm();
  const verbatim = getAt(form.body, ['kickstart', 'storage', 'verbatim']) === true;
  const kdump = getAt(form.body, ['kickstart', 'kdump', 'state']);
  return (
    <>
      <Group title="Installer" hint="RHEL, Rocky, Alma, CentOS, Oracle, openEuler: anaconda reads ks.cfg.">
        <SelectField
          path={['kickstart', 'mode']}
          label="Interface"
          choices={[
            { value: 'text', label: 'Text' },
            { value: 'graphical', label: 'Graphical' },
            { value: 'cmdline', label: 'Command line' },
          ]}
          hint="Text works on serial consoles; command line stops at any question the file leaves open."
        />
        <SelectField
          path={['kickstart', 'firstboot']}
          label="Initial setup at first boot"
          choices={[
            { value: 'disable', label: 'Off' },
            { value: 'enable', label: 'On' },
            { value: 'default', label: 'Installer’s default' },
          ]}
        />
        <CheckField path={['kickstart', 'eula']} label="Accept the licence (eula --agreed)" />
        <CheckField path={['kickstart', 'skipx']} label="Do not configure X (skipx)" />
        <CheckField path={['kickstart', 'rootAllowSsh']} label="Root may log in over SSH with its password (RHEL 9.1+)" />
      </Group>
      <Group title="Packages">
        <TextField path={['kickstart', 'packages', 'environment']} label="Environment" nullable mono placeholder="minimal-environment" hint="Written as @^name; empty keeps anaconda’s." />
        <ListField path={['kickstart', 'packages', 'instLangs']} label="Languages to install" sep="words" placeholder="en de" hint="Empty installs all translations." />
        <CheckField path={['kickstart', 'packages', 'ignoreMissing']} label="Skip missing packages (--ignoremissing)" />
        <CheckField path={['kickstart', 'packages', 'noCore']} label="Without @core (--nocore)" />
        <CheckField path={['kickstart', 'packages', 'excludeWeakdeps']} label="Skip weak dependencies" />
        <CheckField path={['kickstart', 'packages', 'excludeDocs']} label="Skip documentation (--excludedocs)" />
      </Group>
      <Group title="Boot loader and kdump">
        <ListField path={['kickstart', 'bootloader', 'append']} label="Kernel arguments" sep="words" placeholder="console=ttyS0,115200n8" />
        <NumberField path={['kickstart', 'bootloader', 'timeout']} label="Menu timeout" nullable unit="s" placeholder="installer’s" />
        <TextField path={['kickstart', 'bootloader', 'passwordHash']} label="GRUB password hash" nullable mono placeholder="grub.pbkdf2.sha512.…" hint="grub2-mkpasswd-pbkdf2 output; empty for none." wide />
        <SelectField
          path={['kickstart', 'kdump', 'state']}
          label="kdump"
          choices={[
            { value: 'default', label: 'Installer’s default' },
            { value: 'enabled', label: 'On' },
            { value: 'disabled', label: 'Off' },
          ]}
        />
        {kdump === 'enabled' && <KdumpReserve />}
      </Group>
      <Group title="Authentication and storage">
        <SelectField
          path={['kickstart', 'auth', 'profile']}
          label="authselect profile"
          choices={[
            { value: 'default', label: 'Installer’s default' },
            { value: 'sssd', label: 'sssd' },
            { value: 'winbind', label: 'winbind' },
            { value: 'nis', label: 'nis' },
            { value: 'minimal', label: 'minimal' },
          ]}
        />
        <ListField path={['kickstart', 'auth', 'features']} label="Features" sep="words" placeholder="with-mkhomedir with-faillock" />
        <SelectField
          path={['kickstart', 'storage', 'diskLabel']}
          label="Partition table"
          choices={[
            { value: 'auto', label: 'Installer’s choice' },
            { value: 'gpt', label: 'GPT' },
            { value: 'msdos', label: 'MBR (msdos)' },
          ]}
        />
        <TextField path={['kickstart', 'storage', 'volumeGroup']} label="Volume group (custom layout)" nullable mono placeholder="plain partitions" />
        {verbatim && (
          <CheckField
            path={['kickstart', 'storage', 'verbatim']}
            label="Keep the imported layout as written"
            hint="The imported file’s partitioning commands are in the raw commands below; the Disk section is not written while this is on."
          />
        )}
        <CheckField path={['kickstart', 'post', 'nochroot']} label="Post script runs in the installer (--nochroot)" />
        <CheckField path={['kickstart', 'post', 'log']} label="Keep the post script’s output in /root/ks-post.log" />
      </Group>
      <Group title="Kept from an import" hint="Written back exactly as they stand: commands after rackboot’s, sections after the post script.">
        <ListField path={['kickstart', 'advanced', 'commands']} label="Commands" sep="lines" rows={5} placeholder="logging --level=info" />
        <RawField path={['kickstart', 'advanced', 'sections']} label="Sections" rows={8} {...sectionsText} hint="Each from its %header line to its %end line." />
      </Group>
    </>
  );
}

function KdumpReserve() {
  const f = useField<number | 'auto'>(['kickstart', 'kdump', 'reserveMb']);
  const auto = f.value === 'auto' || f.value === undefined;
  return (
    <>
      <CheckFieldValue label="Reserve memory automatically" checked={auto} readOnly={f.readOnly} onChange={(on) => f.set(on ? 'auto' : 256)} />
      {!auto && <NumberField path={['kickstart', 'kdump', 'reserveMb']} label="Memory reserved" unit="MiB" />}
    </>
  );
}

function CheckFieldValue({ label, checked, readOnly, onChange }: { label: string; checked: boolean; readOnly: boolean; onChange: (on: boolean) => void }) {
  return (
    <div className="af-field af-check">
      <label>
        <input type="checkbox" checked={checked} disabled={readOnly} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------- autoinstall

/** A YAML block edited as text: an object (or a list, `list`), parsed as cloud-init reads it. */
const yamlText = (list = false) => ({
  show: (v: unknown) => {
    if (list ? !Array.isArray(v) || v.length === 0 : !v || typeof v !== 'object' || Object.keys(v).length === 0) return '';
    return list ? toYaml({ x: v }).replace(/^x:\n/, '').replace(/^ {2}/gm, '') : toYaml(v as Record<string, unknown>);
  },
  parse: (t: string): { value: unknown } | { error: string } => {
    if (t.trim() === '') return { value: list ? [] : {} };
    const r = fromYaml(t);
    if (!r.ok) return { error: `not YAML: ${r.message}` };
    if (list ? !Array.isArray(r.value) : !r.value || typeof r.value !== 'object' || Array.isArray(r.value)) return { error: list ? 'a YAML list (- item)' : 'YAML keys (key: value)' };
    return { value: r.value };
  },
  same: (t: string, v: unknown) => {
    const r = t.trim() === '' ? { ok: true as const, value: list ? [] : {} } : fromYaml(t);
    return r.ok && canonical(r.value) === canonical(v ?? (list ? [] : {}));
  },
});

function KernelField() {
  const f = useField<{ flavor: string } | { package: string } | null>(['autoinstall', 'kernel']);
  const v = f.value ?? null;
  const kind = v === null ? '' : 'flavor' in v ? 'flavor' : 'package';
  const name = v === null ? '' : 'flavor' in v ? v.flavor : v.package;
  return (
    <div className={`af-field${f.invalid ? ' invalid' : ''}`}>
      <label className="af-label" htmlFor={f.id}>
        Kernel
      </label>
      <span className="af-pair">
        <select id={f.id} aria-label="Kernel kind" value={kind} disabled={f.readOnly} onChange={(e) => f.set(e.target.value === '' ? null : { [e.target.value]: name || (e.target.value === 'flavor' ? 'hwe' : 'linux-generic') })}>
          <option value="">The ISO’s default</option>
          <option value="flavor">Flavour</option>
          <option value="package">Package</option>
        </select>
        {kind && <input aria-label="Kernel name" className="mono" value={name} readOnly={f.readOnly} onChange={(e) => f.set({ [kind]: e.target.value })} />}
      </span>
      <FieldIssues id={f.id} issues={f.issues} />
    </div>
  );
}

export function AutoinstallSection() {
  const form = useForm();
  const layout = getAt(form.body, ['autoinstall', 'storage', 'layout']);
  return (
    <>
      <Group title="Storage and network" hint="Ubuntu Server 20.04+: subiquity reads autoinstall from user-data.">
        <SelectField
          path={['autoinstall', 'storage', 'layout']}
          label="Layout"
          unset="Follow the Disk section"
          choices={[
            { value: 'lvm', label: 'LVM' },
            { value: 'direct', label: 'Direct (plain partitions)' },
            { value: 'zfs', label: 'ZFS' },
          ]}
        />
        {(layout === 'lvm' || layout === undefined) && (
          <SelectField
            path={['autoinstall', 'storage', 'sizingPolicy']}
            label="LVM sizing"
            choices={[
              { value: 'scaled', label: 'Scaled (room for snapshots)' },
              { value: 'all', label: 'All to the root volume' },
            ]}
          />
        )}
        <SelectField
          path={['autoinstall', 'storage', 'match', 'size']}
          label="Disk when the target is automatic"
          unset="Any"
          choices={[
            { value: 'largest', label: 'Largest' },
            { value: 'smallest', label: 'Smallest' },
          ]}
        />
        <TextField path={['autoinstall', 'network', 'interfaceName']} label="Boot NIC name" mono hint="netplan id of the NIC matched by its MAC." />
        <CheckField path={['autoinstall', 'network', 'rename']} label="Rename the boot NIC to that name in the installed system" />
      </Group>
      <Group title="Software and SSH">
        <CheckField path={['autoinstall', 'ssh', 'installServer']} label="Install the OpenSSH server" />
        <TriState path={['autoinstall', 'ssh', 'allowPw']} label="Password logins over SSH" hint="Default: allowed only when there are no keys." />
        <SelectField
          path={['autoinstall', 'updates']}
          label="Updates before the first boot"
          choices={[
            { value: 'security', label: 'Security only' },
            { value: 'all', label: 'All' },
          ]}
        />
        <TextField path={['autoinstall', 'source', 'id']} label="Install source" optional mono placeholder="ubuntu-server" />
        <KernelField />
        <CheckField path={['autoinstall', 'drivers', 'install']} label="Install third-party drivers" />
        <CheckField path={['autoinstall', 'apt', 'geoip']} label="Look up a country mirror (needs the internet)" />
        <ListField path={['autoinstall', 'interactiveSections']} label="Screens still asked" sep="words" placeholder="network storage" hint="* asks them all; the file then only sets defaults." />
      </Group>
      <Group title="Kept from an import" hint="YAML, written back as it stands.">
        <RawField path={['autoinstall', 'snaps']} label="Snaps" rows={3} {...yamlText(true)} />
        <RawField path={['autoinstall', 'lateCommands']} label="Late commands (installer, target at /target)" rows={4} {...yamlText(true)} />
        <RawField path={['autoinstall', 'userDataAdvanced']} label="cloud-config for the installed system" rows={5} {...yamlText()} />
        <RawField path={['autoinstall', 'liveUserData']} label="cloud-config for the installer session" rows={3} {...yamlText()} />
        <RawField path={['autoinstall', 'advanced']} label="Other autoinstall keys" rows={5} {...yamlText()} />
        <RawField path={['autoinstall', 'repositories']} label="Repository suites, components and keys (by name)" rows={3} {...yamlText()} />
      </Group>
    </>
  );
}

// -------------------------------------------------------------------------------------------------- preseed

function MirrorField() {
  const f = useField<{ hostname: string; directory: string } | null>(['preseed', 'mirror']);
  const iso = f.value === null || f.value === undefined;
  return (
    <>
      <div className="af-field wide af-check">
        <label>
          <input type="checkbox" checked={iso} disabled={f.readOnly} onChange={(e) => f.set(e.target.checked ? null : { hostname: 'deb.debian.org', directory: '/debian' })} />
          Install from the ISO (rackboot serves it as the mirror)
        </label>
        <FieldIssues id={f.id} issues={f.issues} />
      </div>
      {!iso && (
        <>
          <TextField path={['preseed', 'mirror', 'hostname']} label="Mirror host" mono placeholder="deb.debian.org" />
          <TextField path={['preseed', 'mirror', 'directory']} label="Mirror directory" mono placeholder="/debian" />
        </>
      )}
    </>
  );
}

function AptServices() {
  const f = useField<string[]>(['preseed', 'aptServices']);
  const on = new Set(Array.isArray(f.value) ? f.value : []);
  const all = ['security', 'updates', 'backports'] as const;
  return (
    <div className="af-field">
      <span className="af-label" id={`${f.id}-label`}>
        Extra apt sources
      </span>
      <div className="af-choices" role="group" aria-labelledby={`${f.id}-label`} id={f.id}>
        {all.map((s) => (
          <label key={s} className={on.has(s) ? 'on' : undefined}>
            <input type="checkbox" checked={on.has(s)} disabled={f.readOnly} onChange={(e) => f.set(all.filter((x) => (x === s ? e.target.checked : on.has(x))))} />
            {s}
          </label>
        ))}
      </div>
      <FieldIssues id={f.id} issues={f.issues} />
    </div>
  );
}

export function PreseedSection() {
  return (
    <>
      <Group title="Source and software" hint="Debian 12: debian-installer reads preseed.cfg.">
        <MirrorField />
        <TextField path={['preseed', 'proxy']} label="HTTP proxy" optional mono placeholder="http://proxy:3128/" />
        <TextField path={['preseed', 'suite']} label="Suite" optional mono placeholder="the installer’s" />
        <ListField path={['preseed', 'tasks']} label="tasksel tasks" sep="words" placeholder="standard ssh-server" />
        <AptServices />
        <SelectField
          path={['preseed', 'upgrade']}
          label="Upgrade after the base install"
          choices={[
            { value: 'none', label: 'None' },
            { value: 'safe-upgrade', label: 'Safe upgrade' },
            { value: 'full-upgrade', label: 'Full upgrade' },
          ]}
        />
        <CheckField path={['preseed', 'popularityContest']} label="Take part in popularity-contest" />
      </Group>
      <Group title="Partitioning and boot">
        <ChoiceField
          path={['preseed', 'recipe']}
          label="Guided recipe (automatic layouts)"
          wide
          choices={[
            { value: 'atomic', label: 'All in one partition' },
            { value: 'home', label: 'Separate /home' },
            { value: 'multi', label: 'Separate /home, /var, /tmp' },
          ]}
        />
        <TextField path={['preseed', 'bootDevice']} label="GRUB device on BIOS" mono hint="default: the target disk." />
      </Group>
      <Group title="Kept from an import" hint="Written back as they stand, after rackboot’s lines.">
        <TextField path={['preseed', 'lateCommand']} label="late_command (installer, target at /target)" mono wide />
        <ListField path={['preseed', 'advanced']} label="Preseed lines" sep="lines" rows={6} placeholder="d-i owner/question type value" />
        <RawField path={['preseed', 'repositories']} label="Repository suites, components and keys (by name)" rows={3} {...yamlText()} />
      </Group>
    </>
  );
}

