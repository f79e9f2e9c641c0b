/**
 * The hardened window's settings in one place (CONVENTIONS §6). Kept free of `electron` imports so a unit
 * test can read them back and fail if any drifts.
 */
export { UI_CSP } from '../core/api/csp.ts';

export const WEB_PREFERENCES = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  spellcheck: false,
} as const;

export const WINDOW_OPTIONS = {
  width: 1200,
  height: 800,
  minWidth: 720,
  minHeight: 520,
  title: 'rackboot',
  show: false,
  backgroundColor: '#f4f5f7',
} as const;

/** Navigation is allowed only within the app's own page; everything else is refused. */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(appUrl);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
