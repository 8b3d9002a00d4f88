import { lstat, readdir, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { DataPaths } from '../config/data-dir.ts';
import { moveFile, toIoError } from './files.ts';

/**
 * `cache/quarantine/`: files that failed verification, kept for inspection for
 * `recycle.retentionDays`, then purged by GC. They are never a blob's file (a quarantined blob
 * has no file under assets/previews until it is repaired), so deleting them cannot touch an
 * available image.
 */

/** `<sha>.<ext>` or `<sha>-<ms>.<ext>`: only names Posterity gave are ever purged. */
const QUARANTINE_NAME = /^([0-9a-f]{64})(?:-\d+)?\.[a-z0-9]+$/;

export interface QuarantinedFile {
  file: string;
  sha256: string;
  bytes: number;
  /** When it was quarantined (the file's mtime, stamped at the move: a rename keeps the old one). */
  quarantinedAt: number;
}

/**
 * Moves a damaged blob file into quarantine and stamps the time, which GC ages it by. Whatever
 * sat at the blob's path goes as it is: a folder or a symlink is moved whole, never followed, and
 * (not being a file) is never purged by GC.
 */
export async function quarantineFile(
  paths: DataPaths,
  file: string,
  sha: string,
  ext: string,
  nowMs: number,
): Promise<string> {
  let target = path.join(paths.quarantine, `${sha}.${ext}`);
  if (await occupied(target)) target = path.join(paths.quarantine, `${sha}-${nowMs}.${ext}`);
  await moveFile(file, target);
  const t = nowMs / 1000;
  await utimes(target, t, t).catch(() => undefined); // at worst it ages from its old mtime: purged sooner
  return target;
}

/**
 * Moves a file Posterity did not put under a cache folder (a wrong name or place) to
 * `quarantine/stray/<folder>/<rel>`, keeping its path so the user can tell where it was. GC never
 * purges these (not a name verify gives): they may be the user's.
 */
export async function quarantineStray(
  paths: DataPaths,
  abs: string,
  folder: string,
  rel: string,
  nowMs: number,
): Promise<string> {
  let target = path.join(paths.quarantine, 'stray', folder, rel);
  if (await occupied(target)) target = `${target}-${nowMs}`;
  await moveFile(abs, target);
  return target;
}

/** Anything at all at `p` (a dangling symlink too): a move must never land on it. */
async function occupied(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

export async function listQuarantine(paths: DataPaths): Promise<QuarantinedFile[]> {
  const names = await readdir(paths.quarantine).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw toIoError(err, paths.quarantine);
  });
  const files: QuarantinedFile[] = [];
  for (const name of names.sort()) {
    const match = QUARANTINE_NAME.exec(name);
    if (!match) continue;
    const file = path.join(paths.quarantine, name);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) continue;
    files.push({ file, sha256: match[1]!, bytes: info.size, quarantinedAt: info.mtimeMs });
  }
  return files;
}

/** Deletes one quarantined file; one already gone is fine. */
export async function purgeQuarantined(file: string): Promise<void> {
  await unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw toIoError(err, file);
  });
}
