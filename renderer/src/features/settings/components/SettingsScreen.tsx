import { useEffect, useState } from 'react';
import { SettingsSchema, type Settings } from '../../../../../shared/api/contract.ts';
import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';

type Draft = Pick<Settings, 'httpPort' | 'tftpPort' | 'unknownPolicy' | 'defaultIso' | 'kernelConsole' | 'menuTimeoutSeconds' | 'ipxeRouterAdvert'>;

const UNKNOWN_TEXT = {
  menu: 'Boot menu, then the local disk (safe)',
  ignore: 'Ignore them: no boot answer',
  install: 'Install the default ISO: erases disks',
} as const;

/** Settings: ports, the policy for unknown machines, installer console, where data lives. Saved as the server's settings. */
export function SettingsScreen() {
  const settings = useApp(selectors.settings);
  const isos = useApp(selectors.isos);
  const running = useApp(selectors.running);
  const about = useApp(selectors.about);
  const { saveSettings, loadAbout } = useApp(selectors.actions);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [confirmInstall, setConfirmInstall] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void loadAbout();
  }, [loadAbout]);
  useEffect(() => {
    if (settings && !draft) setDraft({ httpPort: settings.httpPort, tftpPort: settings.tftpPort, unknownPolicy: settings.unknownPolicy, defaultIso: settings.defaultIso, kernelConsole: settings.kernelConsole, menuTimeoutSeconds: settings.menuTimeoutSeconds, ipxeRouterAdvert: settings.ipxeRouterAdvert });
  }, [settings, draft]);
  if (!draft) return <p className="empty">Loading settings…</p>;

  const check = SettingsSchema.pick({ httpPort: true, tftpPort: true, kernelConsole: true, menuTimeoutSeconds: true }).safeParse(draft);
  const errors = new Map(check.success ? [] : check.error.issues.map((i) => [String(i.path[0]), i.message]));
  const set = (patch: Partial<Draft>) => {
    setSaved(false);
    setDraft({ ...draft, ...patch });
  };
  const needsConfirm = draft.unknownPolicy === 'install' && settings?.unknownPolicy !== 'install' && !confirmInstall;
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));

  return (
    <main className="settings">
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          if (errors.size || needsConfirm) return;
          void saveSettings(draft).then((ok) => setSaved(ok));
        }}
      >
        <h2>Settings</h2>
        {running && <p className="banner warn">The server is running: new ports and policies apply from the next start.</p>}
        <div className="field-grid">
          <label htmlFor="s-http">HTTP port</label>
          <div>
            <input id="s-http" inputMode="numeric" value={Number.isNaN(draft.httpPort) ? '' : draft.httpPort} onChange={(e) => set({ httpPort: num(e.target.value) })} aria-invalid={errors.has('httpPort')} />
            {errors.has('httpPort') && <span className="field-error">{errors.get('httpPort')}</span>}
            <span className="hint">Kernels, initrds, ISOs, answer files. 8080 unless something else uses it.</span>
          </div>
          <label htmlFor="s-tftp">TFTP port</label>
          <div>
            <input id="s-tftp" inputMode="numeric" value={Number.isNaN(draft.tftpPort) ? '' : draft.tftpPort} onChange={(e) => set({ tftpPort: num(e.target.value) })} aria-invalid={errors.has('tftpPort')} />
            {errors.has('tftpPort') && <span className="field-error">{errors.get('tftpPort')}</span>}
            <span className="hint">PXE firmware only ever asks port 69.</span>
          </div>
          <label htmlFor="s-unknown">Machines nothing is planned for</label>
          <div>
            <select id="s-unknown" value={draft.unknownPolicy} onChange={(e) => set({ unknownPolicy: e.target.value as Draft['unknownPolicy'] })}>
              {(['menu', 'ignore', 'install'] as const).map((p) => (
                <option key={p} value={p}>
                  {UNKNOWN_TEXT[p]}
                </option>
              ))}
            </select>
            {draft.unknownPolicy === 'install' && (
              <label className="confirm">
                <input type="checkbox" checked={confirmInstall || settings?.unknownPolicy === 'install'} onChange={(e) => setConfirmInstall(e.target.checked)} /> I understand: every machine that network-boots here gets the default
                ISO installed over its disks.
              </label>
            )}
          </div>
          <label htmlFor="s-default">Default ISO</label>
          <div>
            <select id="s-default" value={draft.defaultIso ?? ''} onChange={(e) => set({ defaultIso: e.target.value || null })}>
              <option value="">The only ISO served (when there is exactly one)</option>
              {isos.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name ?? i.id}
                </option>
              ))}
            </select>
          </div>
          <label htmlFor="s-console">Installer console</label>
          <div>
            <input id="s-console" placeholder="ttyS0,115200n8 (empty: the screen)" value={draft.kernelConsole ?? ''} onChange={(e) => set({ kernelConsole: e.target.value.trim() || null })} aria-invalid={errors.has('kernelConsole')} />
            {errors.has('kernelConsole') && <span className="field-error">{errors.get('kernelConsole')}</span>}
            <span className="hint">A serial console for servers watched over IPMI SOL or a console server.</span>
          </div>
          <label htmlFor="s-timeout">Boot menu countdown (s)</label>
          <div>
            <input id="s-timeout" inputMode="numeric" value={Number.isNaN(draft.menuTimeoutSeconds) ? '' : draft.menuTimeoutSeconds} onChange={(e) => set({ menuTimeoutSeconds: num(e.target.value) })} aria-invalid={errors.has('menuTimeoutSeconds')} />
            {errors.has('menuTimeoutSeconds') && <span className="field-error">{errors.get('menuTimeoutSeconds')}</span>}
          </div>
          <label htmlFor="s-ra">iPXE speed-up</label>
          <div>
            <label className="confirm">
              <input id="s-ra" type="checkbox" checked={draft.ipxeRouterAdvert} onChange={(e) => set({ ipxeRouterAdvert: e.target.checked })} /> Tell each iPXE client &quot;no IPv6 router here&quot;
              (saves ~13 s per boot; sent to that machine only)
            </label>
          </div>
        </div>
        <div className="form-foot">
          <button type="submit" className="primary" disabled={errors.size > 0 || needsConfirm}>
            Save settings
          </button>
          {saved && (
            <span className="ok-text" role="status">
              Saved.
            </span>
          )}
        </div>
      </form>
      <section className="panel">
        <h2>About this computer</h2>
        {about ? (
          <dl className="facts">
            <dt>Data folder</dt>
            <dd>
              <code>{about.dataDir}</code>
              {!about.settingsSaved && ' (settings from the command line: not saved)'}
            </dd>
            <dt>Answers on one NIC only</dt>
            <dd>{about.nicBinding.available ? 'yes (sockets tied to the chosen interface)' : `no: ${about.nicBinding.reason ?? 'unknown'}`}</dd>
            <dt>Bootloaders</dt>
            <dd>{about.missingBootloaders.length === 0 ? 'all present' : `missing: ${about.missingBootloaders.map((m) => `${m.name} (Debian package ${m.debianPackage})`).join(', ')}`}</dd>
            <dt>Theme</dt>
            <dd>Follows the system (light or dark).</dd>
          </dl>
        ) : (
          <p className="empty">…</p>
        )}
      </section>
    </main>
  );
}
