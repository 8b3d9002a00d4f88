import path from 'node:path';

/** One translation from a path as Radarr/Sonarr see it to the same place as seen here. */
export interface PathMapping {
  from: string;
  to: string;
}

const WINDOWS_ROOT = /^(?:[A-Za-z]:|\/\/)/;

/** Forward slashes, `..` resolved, no trailing slash (except a bare root). */
function normalise(p: string): string {
  const unc = /^[\\/]{2}[^\\/]/.test(p);
  const forward = path.posix.normalize(p.replace(/\\/g, '/'));
  const kept = unc && !forward.startsWith('//') ? `/${forward}` : forward; // posix folds the UNC '//' prefix
  return kept.length > 1 ? kept.replace(/\/+$/, '') : kept;
}

function startsWithDir(p: string, prefix: string, caseless: boolean): boolean {
  const a = caseless ? p.toLowerCase() : p;
  const b = caseless ? prefix.toLowerCase() : prefix;
  return a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`);
}

/**
 * Translates an *arr path with the longest matching `from` prefix (whole folder names only;
 * case-insensitive for Windows paths such as `D:\Movies` or `\\nas\share`). A path no mapping
 * covers is returned as it is, normalised for this machine.
 */
export function mapArrPath(arrPath: string, mappings: readonly PathMapping[], sep: string = path.sep): string {
  const p = normalise(arrPath);
  let best: { from: string; to: string } | undefined;
  for (const m of mappings) {
    const from = normalise(m.from);
    if (from === '' || !startsWithDir(p, from, WINDOWS_ROOT.test(from))) continue;
    if (!best || from.length > best.from.length) best = { from, to: m.to };
  }
  const joined = best ? `${normalise(best.to)}${p.slice(best.from.length)}` : p;
  const local = sep === '/' ? joined : joined.replace(/\//g, sep);
  return (sep === '/' ? path.posix : path.win32).normalize(local);
}

/**
 * The library holding `localPath` (the deepest root that contains it), or null when the path is
 * outside every library, which is also how `..` tricks in a payload end up.
 */
export function libraryFor<L extends { path: string }>(libraries: readonly L[], localPath: string, sep: string = path.sep): L | null {
  const flavour = sep === '/' ? path.posix : path.win32;
  if (!flavour.isAbsolute(localPath)) return null;
  const resolved = flavour.resolve(localPath);
  let best: L | null = null;
  for (const lib of libraries) {
    const root = lib.path.length > 1 && lib.path.endsWith(sep) ? lib.path.slice(0, -1) : lib.path;
    if (resolved !== root && !resolved.startsWith(root.endsWith(sep) ? root : root + sep)) continue;
    if (!best || root.length > best.path.length) best = lib;
  }
  return best;
}
