import { describe, expect, it } from 'vitest';
import { UI_CSP, WEB_PREFERENCES, isAppUrl } from './window-options.ts';

describe('hardened window', () => {
  it('keeps the renderer sandboxed and isolated', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
  it("starts the CSP from default-src 'none' and allows no inline or remote script", () => {
    expect(UI_CSP.startsWith("default-src 'none';")).toBe(true);
    expect(UI_CSP).toContain("script-src 'self'");
    expect(UI_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
  it.each([
    ['file:///opt/rackboot/renderer/dist/index.html', true],
    ['file:///opt/rackboot/renderer/dist/index.html?x=1#y', true],
    ['file:///etc/passwd', false],
    ['https://example.com/', false],
    ['not a url', false],
  ])('navigation to %s allowed: %s', (url, allowed) => {
    expect(isAppUrl(url, 'file:///opt/rackboot/renderer/dist/index.html')).toBe(allowed);
  });
});
