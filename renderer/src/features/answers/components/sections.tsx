/** The common sections of the profile form: what every installer family needs to know. */
import { useState } from 'react';
import { TIMEZONES, isKnownTimezone } from '../../../../../shared/answers/timezones.ts';
import { getAt } from '../form.ts';
import { useField, useForm } from '../hooks/form-context.ts';
import { CheckField, ChoiceField, FieldIssues, Group, ListField, TextArea, TextField } from './controls.tsx';
import { PasswordField } from './PasswordField.tsx';
import { PartitionsTable, RepositoriesTable } from './tables.tsx';

const LOCALES = ['en_US.UTF-8', 'en_GB.UTF-8', 'de_DE.UTF-8', 'fr_FR.UTF-8', 'es_ES.UTF-8', 'it_IT.UTF-8', 'nl_NL.UTF-8', 'pl_PL.UTF-8', 'pt_BR.UTF-8', 'sv_SE.UTF-8', 'ja_JP.UTF-8', 'zh_CN.UTF-8', 'ru_RU.UTF-8'];
const KEYMAPS = ['us', 'gb', 'de', 'de(nodeadkeys)', 'fr', 'es', 'it', 'ch', 'nl', 'se', 'no', 'dk', 'fi', 'pl', 'pt', 'br', 'jp', 'ru'];

export function BasicsSection() {
  return (
    <Group title="Basics">
      <TextField path={['name']} label="Name" wide hint="What technicians pick when they assign a machine, such as “Web servers (EL9)”." />
      <TextArea path={['description']} label="Description" rows={3} placeholder="What this profile is for, who keeps it" />
    </Group>
  );
}

/** The time zone: type to search the IANA names the installers know (a native, keyboard-friendly list). */
function TimezoneField() {
  const f = useField<string>(['locale', 'timezone']);
  const value = typeof f.value === 'string' ? f.value : '';
  const unknown = value !== '' && !f.invalid && !isKnownTimezone(value);
  return (
    <div className={`af-field${f.invalid ? ' invalid' : ''}`}>
      <label className="af-label" htmlFor={f.id}>
        Time zone
      </label>
      <input
        id={f.id}
        type="search"
        list="af-timezones"
        value={value}
        placeholder="Type to search: Berlin, New_York…"
        readOnly={f.readOnly}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => f.set(e.target.value)}
        aria-invalid={f.invalid || undefined}
        aria-describedby={f.describedBy}
      />
      <datalist id="af-timezones">
        {TIMEZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <FieldIssues id={f.id} issues={f.issues} />
      {unknown && <p className="af-issues warning">{value} is not a time zone the installers know</p>}
    </div>
  );
}

export function LocaleSection() {
  return (
    <Group title="Locale">
      <TextField path={['locale', 'language']} label="Language" list="af-locales" mono hint="A locale such as en_US.UTF-8." />
      <datalist id="af-locales">
        {LOCALES.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      <TextField path={['locale', 'keyboard']} label="Keyboard" list="af-keymaps" mono hint="A layout such as us or de(nodeadkeys)." />
      <datalist id="af-keymaps">
        {KEYMAPS.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      <TimezoneField />
      <CheckField path={['locale', 'utc']} label="Hardware clock in UTC" />
      <ListField path={['locale', 'ntp']} label="NTP servers" sep="words" placeholder="ntp1.example.net ntp2.example.net" hint="Empty keeps the installer's default." />
    </Group>
  );
}

export function NetworkSection() {
  const form = useForm();
  const mode = getAt(form.body, ['network', 'mode']);
  return (
    <Group title="Network">
      <ChoiceField
        path={['network', 'mode']}
        label="Addresses"
        wide
        choices={[
          { value: 'dhcp', label: 'DHCP' },
          { value: 'static', label: 'Static' },
        ]}
        hint={
          mode === 'static'
            ? 'Each machine gets its reserved address (Setup: reservations) with the pool’s prefix and gateway; a machine without one installs with DHCP.'
            : 'The installed system asks DHCP for its address, as the installer did.'
        }
      />
      <TextField path={['network', 'hostname']} label="Host name" optional mono placeholder="web01" hint="Used when the machine has no name of its own (reservation or assignment)." />
      <TextField path={['network', 'domain']} label="Domain" optional mono placeholder="example.net" />
      <ListField path={['network', 'dns']} label="DNS servers" sep="words" placeholder="10.0.0.53 10.0.0.54" hint={mode === 'static' ? 'Up to four, dotted quads.' : 'Static mode only: DHCP hands its own out.'} />
    </Group>
  );
}

/** `auto` (the installer's first suitable disk) or one device path, kept while the box is ticked off and on. */
function DiskTarget() {
  const f = useField<string>(['disk', 'target']);
  const [device, setDevice] = useState(f.value && f.value !== 'auto' ? f.value : '/dev/sda');
  const auto = f.value === 'auto' || f.value === undefined;
  return (
    <div className={`af-field wide${f.invalid ? ' invalid' : ''}`}>
      <span className="af-label">Target disk</span>
      <label className="af-inline">
        <input type="checkbox" checked={auto} disabled={f.readOnly} onChange={(e) => f.set(e.target.checked ? 'auto' : device)} />
        The installer’s first suitable disk
      </label>
      {!auto && (
        <input
          id={f.id}
          className="mono"
          aria-label="Target disk device"
          value={f.value ?? ''}
          readOnly={f.readOnly}
          spellCheck={false}
          placeholder="/dev/sda or /dev/disk/by-id/…"
          onChange={(e) => {
            setDevice(e.target.value);
            f.set(e.target.value);
          }}
          aria-invalid={f.invalid || undefined}
          aria-describedby={f.describedBy}
        />
      )}
      <FieldIssues id={f.id} issues={f.issues} />
    </div>
  );
}

export function DiskSection() {
  const form = useForm();
  const layout = getAt(form.body, ['disk', 'layout']);
  return (
    <Group title="Disk">
      <DiskTarget />
      <CheckField path={['disk', 'wipe']} label="Wipe the target disk first" hint="Every partition on it; other disks are left alone." wide />
      <ChoiceField
        path={['disk', 'layout']}
        label="Layout"
        wide
        choices={[
          { value: 'auto', label: 'Installer’s choice' },
          { value: 'lvm', label: 'Automatic, LVM' },
          { value: 'plain', label: 'Automatic, plain partitions' },
          { value: 'custom', label: 'Custom' },
        ]}
      />
      {layout === 'custom' ? <PartitionsTable /> : <p className="af-hint wide">The boot partition the firmware needs (/boot/efi or biosboot) is added per machine automatically.</p>}
    </Group>
  );
}

function UserAccount() {
  const f = useField<Record<string, unknown> | null>(['accounts', 'user']);
  const has = f.value !== null && f.value !== undefined;
  return (
    <>
      <div className="af-field wide af-check">
        <label>
          <input type="checkbox" checked={has} disabled={f.readOnly} onChange={(e) => f.set(e.target.checked ? { name: '', fullName: '', password: null, admin: true } : null)} />
          Create a user account
        </label>
        <FieldIssues id={f.id} issues={f.issues} />
      </div>
      {has && (
        <>
          <TextField path={['accounts', 'user', 'name']} label="User name" mono placeholder="ops" />
          <TextField path={['accounts', 'user', 'fullName']} label="Full name" placeholder="Operations team" />
          <PasswordField path={['accounts', 'user', 'password']} label="User password" noneLabel="No password" noneHint="The user logs in with SSH keys only." />
          <CheckField path={['accounts', 'user', 'admin']} label="Administrator (wheel / sudo)" />
        </>
      )}
    </>
  );
}

export function AccountsSection() {
  return (
    <Group title="Accounts">
      <PasswordField path={['accounts', 'root']} label="Root password" noneLabel="Locked" noneHint="Root cannot log in with a password; give the user administrator rights." />
      <UserAccount />
      <ListField path={['accounts', 'sshKeys']} label="SSH public keys" sep="lines" rows={4} placeholder="ssh-ed25519 AAAA… ops@bastion" hint="One key a line, as in authorized_keys; they go to the user (root without one)." />
    </Group>
  );
}

export function PackagesSection() {
  return (
    <Group title="Packages">
      <ListField path={['packages', 'install']} label="Install" sep="lines" rows={5} placeholder={'@^minimal-environment\nvim-enhanced'} hint="One package a line; @group and @^environment for kickstart." />
      <ListField path={['packages', 'exclude']} label="Exclude" sep="lines" rows={3} placeholder="iwl*-firmware" />
      <RepositoriesTable />
    </Group>
  );
}

export function SecuritySection() {
  const form = useForm();
  const firewall = getAt(form.body, ['security', 'firewall']) === true;
  return (
    <Group title="Security">
      <ChoiceField
        path={['security', 'selinux']}
        label="SELinux"
        wide
        choices={[
          { value: 'enforcing', label: 'Enforcing' },
          { value: 'permissive', label: 'Permissive' },
          { value: 'disabled', label: 'Disabled' },
        ]}
        hint="Kickstart only; Ubuntu and Debian do not use SELinux."
      />
      <CheckField path={['security', 'firewall']} label="Firewall on" />
      {firewall && <ListField path={['security', 'firewallServices']} label="Allowed services" sep="words" placeholder="ssh http https" hint="firewalld service names." />}
      <ListField path={['security', 'enableServices']} label="Enable services" sep="words" placeholder="chronyd sshd" />
      <ListField path={['security', 'disableServices']} label="Disable services" sep="words" placeholder="cups" />
    </Group>
  );
}

export function ScriptsSection() {
  return (
    <Group title="Scripts" hint="Shell (sh). Kickstart runs them as %pre and %post, autoinstall as early-commands and a late-command in the target, preseed as early_command and late_command.">
      <TextArea path={['preScript']} label="Before the install (in the installer)" rows={6} mono placeholder="# runs before partitioning" />
      <TextArea path={['postScript']} label="After the install (in the installed system)" rows={10} mono placeholder="# runs in the new system before the first boot" />
    </Group>
  );
}

export function FinishSection() {
  return (
    <Group title="Finish">
      <ChoiceField
        path={['finish']}
        label="When the install is done"
        wide
        choices={[
          { value: 'reboot', label: 'Reboot into the new system' },
          { value: 'poweroff', label: 'Power off' },
        ]}
        hint="rackboot hands the machine its local disk at the next network boot either way."
      />
    </Group>
  );
}
