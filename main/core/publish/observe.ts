import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ACTORS_DIR, EXTRAFANART_DIR, isImageFileName } from '../../../shared/naming.ts';
import { isPublishTemp } from './fs-ops.ts';
import { ledgerMtime, type DiskEntry, type LedgerEntry } from './plan.ts';

/*
 * The only part of planning that touches the disk: what is at each path the plan cares about.
 * Cheap by default — one directory listing per folder, one lstat per file that exists — and a
 * file is hashed only when that can change the decision: its size or mtime differ from the
 * ledger and its size equals a size we would accept.
 */

/** How hard to look at files that already exist. */
export type Scrutiny =
  /** Trust the ledger's hash when size and mtime match (publish, verify). */
  | 'stat'
  /** Hash every existing file (rebuild after a disk swap, where mtimes may survive a bad copy). */
  | 'hash';

export interface Observation {
  folderExists: boolean;
  disk: Map<string, DiskEntry>;
  /** Image files in the folder, `extrafanart/` and `.actors/` (relative, `/`-separated). */
  folderImages: string[];
  /** Publish temp files left by a process that died mid-write (absolute). */
  temps: string[];
}

/** Sub-folders we write into, listed so their files need no lstat when absent. */
const OWN_SUBDIRS = [EXTRAFANART_DIR, ACTORS_DIR];

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A folder entry: its name and what it is. */
type Entry = Pick<Dirent, 'name' | 'isFile' | 'isDirectory'>;

async function list(dir: string): Promise<Entry[] | null> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
    // Where the filesystem lists no entry types (some network shares, FUSE), Node stats each
    // entry, and one removed in between (a temp file of another movie publishing into the same
    // folder) fails the whole listing. Listed by name then, an entry gone meanwhile left out.
    const names = await readdir(dir).catch(() => null);
    if (!names) return null;
    const entries = await Promise.all(
      names.map(async (name) => {
        const info = await lstat(path.join(dir, name)).catch(() => null);
        return info && { name, isFile: () => info.isFile(), isDirectory: () => info.isDirectory() };
      }),
    );
    return entries.filter((e): e is Entry => e !== null);
  }
}

/**
 * Looks at one movie folder. `paths` are absolute paths of interest (desired files and ledger
 * rows); `acceptSizes` maps a path to the sizes whose content could be what we want there.
 */
export async function observeFolder(
  folder: string,
  paths: readonly string[],
  ledger: ReadonlyMap<string, LedgerEntry>,
  acceptSizes: ReadonlyMap<string, ReadonlySet<number>>,
  scrutiny: Scrutiny,
): Promise<Observation> {
  const top = await list(folder);
  const result: Observation = { folderExists: top !== null, disk: new Map(), folderImages: [], temps: [] };
  if (!top) return result;

  // Lower-cased names per listed folder: on a case-insensitive disk `Poster.jpg` is `poster.jpg`.
  const listings = new Map<string, Set<string>>();
  const note = (dir: string, rel: string, entries: Entry[]) => {
    listings.set(dir, new Set(entries.map((e) => e.name.normalize('NFC').toLowerCase())));
    for (const e of entries) {
      if (isPublishTemp(e.name)) result.temps.push(path.join(dir, e.name));
      else if (e.isFile() && isImageFileName(e.name) && (rel !== '' || !e.name.startsWith('.'))) {
        result.folderImages.push(rel ? `${rel}/${e.name}` : e.name);
      }
    }
  };
  note(folder, '', top);
  for (const sub of OWN_SUBDIRS) {
    if (!top.some((e) => e.name === sub && e.isDirectory())) continue;
    const dir = path.join(folder, sub);
    const entries = await list(dir);
    if (entries) note(dir, sub, entries);
  }

  await Promise.all(
    paths.map(async (p) => {
      const names = listings.get(path.dirname(p));
      if (names && !names.has(path.basename(p).normalize('NFC').toLowerCase())) return;
      const info = await lstat(p).catch(() => null);
      if (!info) return;
      const kind = info.isFile() ? 'file' : info.isDirectory() ? 'dir' : 'other';
      const entry: DiskEntry = { kind, size: info.size, mtimeMs: info.mtimeMs, sha: null };
      if (kind === 'file') {
        const row = ledger.get(p);
        const trusted = row && row.bytes === info.size && row.mtime === ledgerMtime(info.mtimeMs);
        if (trusted && scrutiny === 'stat') entry.sha = row.sha256;
        else if (scrutiny === 'hash' || acceptSizes.get(p)?.has(info.size)) {
          entry.sha = await sha256File(p).catch(() => null);
        }
      }
      result.disk.set(p, entry);
    }),
  );
  return result;
}
