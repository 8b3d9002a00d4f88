import { describe, expect, it } from 'vitest';
import {
  allowNavigation,
  allowPermission,
  CONTENT_SECURITY_POLICY,
  decideWindowOpen,
  isTrustedSender,
  PRIVILEGED_SCHEMES,
  secureWebPreferences,
} from '../../main/electron/security.ts';
import { bundleFileFor, bundleHeaders } from '../../main/electron/app-protocol.ts';

describe('the desktop window is locked down', () => {
  const prefs = secureWebPreferences('/app/out/electron/preload.cjs');

  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['navigateOnDragDrop', false],
  ] as const)('webPreferences.%s is %s', (key, value) => {
    expect(prefs[key]).toBe(value);
  });

  it('loads the bundled preload and nothing like enableBlinkFeatures', () => {
    expect(prefs.preload).toBe('/app/out/electron/preload.cjs');
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('has a CSP that allows only its own scripts and cache images, and no network', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'none'"]);
    expect(directives['img-src']).toContain('posterity-img:');
    expect(directives['img-src']).not.toContain('https:');
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });

  it('registers its two schemes as standard and secure', () => {
    expect(PRIVILEGED_SCHEMES.map((s) => s.scheme)).toEqual(['posterity-app', 'posterity-img']);
    for (const s of PRIVILEGED_SCHEMES) expect(s.privileges).toMatchObject({ standard: true, secure: true });
    for (const s of PRIVILEGED_SCHEMES) expect(s.privileges?.bypassCSP).toBeFalsy();
  });
});

describe('navigation, new windows and permissions', () => {
  it.each([
    ['posterity-app://bundle/index.html', true],
    ['posterity-app://bundle/index.html#/item/3', true],
    ['posterity-app://other/index.html', false],
    ['posterity-app://bundle.evil.com/index.html', false],
    ['https://bundle/index.html', false],
    ['file:///etc/passwd', false],
    ['http://127.0.0.1:8790/', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('navigating to %s allowed: %s', (url, allowed) => {
    expect(allowNavigation(url)).toBe(allowed);
  });

  it.each([
    ['https://www.themoviedb.org/settings/api', 'https://www.themoviedb.org/settings/api'],
    ['https://fanart.tv/get-an-api-key/', 'https://fanart.tv/get-an-api-key/'],
    ['http://www.themoviedb.org/', null],
    ['https://evil.example/', null],
    ['https://user:pw@fanart.tv/', null],
    ['https://fanart.tv.evil.example/', null],
    ['file:///etc/passwd', null],
    ['posterity-app://bundle/index.html', null],
  ])('window.open(%s) is denied; opened in the browser: %s', (url, external) => {
    expect(decideWindowOpen(url)).toEqual({ action: 'deny', openExternally: external });
  });

  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown'])(
    'denies the %s permission',
    (permission) => {
      expect(allowPermission(permission)).toBe(false);
    },
  );
});

describe('IPC senders', () => {
  const ours = { webContentsId: 7, frameUrl: 'posterity-app://bundle/index.html#/library', isMainFrame: true };
  it.each([
    ['our window, main frame, our bundle', ours, true],
    ['another web contents', { ...ours, webContentsId: 8 }, false],
    ['a sub-frame', { ...ours, isMainFrame: false }, false],
    ['a frame that is gone', { ...ours, frameUrl: null }, false],
    ['a page that navigated away', { ...ours, frameUrl: 'https://evil.example/' }, false],
    ['a look-alike host', { ...ours, frameUrl: 'posterity-app://bundle2/index.html' }, false],
  ])('%s → trusted: %s', (_label, sender, trusted) => {
    expect(isTrustedSender(sender, 7)).toBe(trusted);
  });

  it('trusts nobody before the window exists', () => {
    expect(isTrustedSender(ours, null)).toBe(false);
  });
});

describe('the app bundle protocol', () => {
  const root = '/app/out/renderer';
  it.each([
    ['posterity-app://bundle/', '/app/out/renderer/index.html'],
    ['posterity-app://bundle/index.html', '/app/out/renderer/index.html'],
    ['posterity-app://bundle/assets/index-abc.js', '/app/out/renderer/assets/index-abc.js'],
    ['posterity-app://bundle/../../../etc/passwd', '/app/out/renderer/etc/passwd'],
    // Dot segments are resolved by the URL parser at the root: they can never climb out.
    ['posterity-app://bundle/%2e%2e/%2e%2e/etc/passwd', '/app/out/renderer/etc/passwd'],
    ['posterity-app://bundle/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret', null],
    ['posterity-app://other/index.html', null],
    ['posterity-img://bundle/index.html', null],
    ['posterity-app://bundle/a%00b', null],
  ])('%s → %s', (url, file) => {
    expect(bundleFileFor(root, url)).toBe(file);
  });

  it('sends the CSP with every page', () => {
    expect(bundleHeaders('/x/index.html')['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(bundleHeaders('/x/a.js')['content-type']).toMatch(/javascript/);
  });
});
