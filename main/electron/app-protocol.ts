import path from 'node:path';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security.ts';
import { STATIC_CONTENT_TYPES as CONTENT_TYPES } from '../core/static-content-types.ts';

/**
 * `posterity-app://bundle/<file>` serves the built renderer. Paths are resolved inside the
 * bundle folder and anything that escapes it is refused; unknown routes get the app shell.
 */

/** The bundle file a URL names, or null when the URL is not ours or leaves the bundle. */
export function bundleFileFor(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel === '/' ? '/index.html' : rel}`);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

export function bundleContentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Response headers for a bundle file: the CSP travels with the page itself. */
export function bundleHeaders(file: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': bundleContentType(file),
    'x-content-type-options': 'nosniff',
  };
  if (file.endsWith('.html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  return headers;
}
