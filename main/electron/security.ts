import type { CustomScheme, WebPreferences } from 'electron';

/**
 * The desktop window's security rules as plain data and pure decisions, so they are unit-tested
 * without Electron. main.ts only wires them to the session and web contents.
 */

/** The renderer is served from this scheme (not file://), so its origin is ours alone. */
export const APP_SCHEME = 'posterity-app';
export const APP_HOST = 'bundle';
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;
/** Cache images by content hash: `posterity-img://<sha256>/<thumb|full>`. */
export const IMAGE_SCHEME = 'posterity-img';

/** Registered before `ready`: both are standard (real URL parsing) and secure (no mixed content). */
export const PRIVILEGED_SCHEMES: CustomScheme[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true } },
];

/**
 * The renderer loads only its own bundle and cache images; it talks to the engine through the
 * preload, so it needs no network at all (connect-src 'none').
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' ${IMAGE_SCHEME}: data: blob:`,
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "object-src 'none'",
].join('; ');

/** The window's web preferences: isolated, sandboxed, no Node, nothing experimental. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

/** True only for a URL of the app's own bundle (compared by scheme and host, never by prefix). */
export function isAppUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/** `will-navigate` / `will-redirect`: the window never leaves the app (hash routes stay in it). */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

/**
 * Links to these sites (where users get API keys, read docs) open in the system browser; any
 * other URL a page asks to open is dropped. The renderer never opens a window of its own.
 */
export const EXTERNAL_HOSTS = ['www.themoviedb.org', 'fanart.tv', 'kodi.wiki', 'jellyfin.org', 'www.plex.tv'] as const;

export interface WindowOpenDecision {
  action: 'deny';
  /** Set when the URL may be handed to the OS browser. */
  openExternally: string | null;
}

/** `setWindowOpenHandler`: always deny; https links to a known site go to the system browser. */
export function decideWindowOpen(url: string): WindowOpenDecision {
  const parsed = parseUrl(url);
  const external =
    parsed !== null &&
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    (EXTERNAL_HOSTS as readonly string[]).includes(parsed.hostname);
  return { action: 'deny', openExternally: external ? parsed.href : null };
}

/** Permission requests and checks (camera, notifications, clipboard, …): the app needs none. */
export function allowPermission(_permission: string): boolean {
  return false;
}

/** What main.ts knows about an IPC message's sender. */
export interface SenderInfo {
  /** `event.sender.id`. */
  webContentsId: number;
  /** `event.senderFrame?.url`; null when the frame is gone. */
  frameUrl: string | null;
  /** Whether the sending frame is the top frame of its page. */
  isMainFrame: boolean;
}

/** An IPC message is trusted only from the main frame of our own window showing our own bundle. */
export function isTrustedSender(sender: SenderInfo, windowWebContentsId: number | null): boolean {
  if (windowWebContentsId === null || sender.webContentsId !== windowWebContentsId) return false;
  if (!sender.isMainFrame || sender.frameUrl === null) return false;
  return isAppUrl(sender.frameUrl);
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
