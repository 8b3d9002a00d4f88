import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { PublishMode } from '../../../shared/settings.ts';
import type { FsWorkers, SyncedFile } from './fs-workers.ts';

/*
 * Atomic file placement in a library folder (ARCHITECTURE rule 2): the new content goes to a
 * hidden temp file in the target folder, is fsynced (on the fs workers), and only then renamed over the target, so
 * Kodi (or a crash) sees the old file or the new one, never half of one. Work that must happen
 * between "the new file is whole" and "it takes the name" (recycling what is there) runs in the
 * `beforeCommit` hook; if anything fails the temp file is removed and the target is untouched.
 */

const TEMP_PREFIX = '.posterity-';
const TEMP_SUFFIX = '.tmp';

/** Whether a file name is one of our temp files (hidden, so players and scanners skip it). */
export function isPublishTemp(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

/** The pid that wrote a temp file, from its name. */
export function tempOwnerPid(name: string): number | null {
  const m = /^\.posterity-(\d+)-/.exec(name);
  return m ? Number(m[1]) : null;
}

function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  );
}

/** How a file got its bytes; `fallback` says why the asked-for mode was not possible. */
export interface PlaceResult {
  method: 'copy' | 'hardlink' | 'reflink' | 'text' | 'rename';
  /** Bytes physically written (0 for a hardlink or a clone). */
  bytesWritten: number;
  fallback: string | null;
  /** The placed file's size and mtime, for the ledger. */
  size: number;
  mtimeMs: number;
}

export interface PlaceOptions {
  /** Runs when the new file is whole, right before it takes the target's name. */
  beforeCommit?: () => Promise<void>;
  /** Expected size; a short copy (a source that changed underneath) is refused. */
  expectBytes?: number;
}

/** errno codes that mean "this kind of link/clone is not possible here", so copying is right. */
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS', 'EINVAL']);

const FALLBACK_TEXT: Record<string, string> = {
  EXDEV: 'the cache and the library are on different filesystems',
  EPERM: 'the filesystem does not allow it',
  ENOTSUP: 'the filesystem does not support it',
  EOPNOTSUPP: 'the filesystem does not support it',
  EMLINK: 'the file has too many links',
  ENOSYS: 'the system does not support it',
  EINVAL: 'the filesystem does not support it',
};

function fallbackReason(mode: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return `${mode} not possible (${FALLBACK_TEXT[code] ?? code}); copied instead`;
}

/** Creates `.actors/` or `extrafanart/` inside an existing movie folder — never the movie folder itself. */
async function ensureParent(target: string, folder: string): Promise<void> {
  const dir = path.dirname(target);
  if (dir === folder) return;
  await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

async function commit(tmp: string, target: string, stat: SyncedFile, options: PlaceOptions): Promise<void> {
  if (options.expectBytes !== undefined && stat.size !== options.expectBytes) {
    throw Object.assign(new Error(`copy of ${target} came out ${stat.size} bytes, expected ${options.expectBytes}`), {
      code: 'ESHORT',
    });
  }
  await options.beforeCommit?.();
  await rename(tmp, target);
}

async function withTemp<T>(target: string, folder: string, fn: (tmp: string) => Promise<T>): Promise<T> {
  await ensureParent(target, folder);
  const tmp = tempPathFor(target);
  try {
    return await fn(tmp);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function linkStat(tmp: string): Promise<SyncedFile> {
  const info = await lstat(tmp);
  return { size: info.size, mtimeMs: info.mtimeMs };
}

/**
 * Puts a copy (or hardlink, or reflink) of `source` at `target`. Hardlink and reflink fall back
 * to a copy where the filesystem cannot do them, and say so in `fallback`.
 */
export async function placeFile(
  workers: FsWorkers,
  source: string,
  target: string,
  folder: string,
  mode: PublishMode,
  options: PlaceOptions = {},
): Promise<PlaceResult> {
  return withTemp(target, folder, async (tmp) => {
    const copy = async (flags: number, fallback: string | null): Promise<PlaceResult> => {
      const stat = await workers.run({ kind: 'copy', source, target: tmp, flags });
      const cloned = flags !== 0;
      return { method: cloned ? 'reflink' : 'copy', bytesWritten: cloned ? 0 : stat.size, fallback, ...stat };
    };
    let result: PlaceResult;
    if (mode === 'hardlink') {
      try {
        await link(source, tmp);
        result = { method: 'hardlink', bytesWritten: 0, fallback: null, ...(await linkStat(tmp)) };
      } catch (err) {
        if (!LINK_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
        await unlink(tmp).catch(() => undefined);
        result = await copy(0, fallbackReason('hardlink', err));
      }
    } else if (mode === 'reflink') {
      try {
        result = await copy(constants.COPYFILE_FICLONE_FORCE, null);
      } catch (err) {
        if (!LINK_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
        await unlink(tmp).catch(() => undefined);
        result = await copy(0, fallbackReason('reflink', err));
      }
    } else {
      result = await copy(0, null);
    }
    await commit(tmp, target, result, options);
    return result;
  });
}

/** A twin: a hardlink of `primary` (no extra space), or a copy where links are not possible. */
export async function placeTwin(
  workers: FsWorkers,
  primary: string,
  target: string,
  folder: string,
  options: PlaceOptions = {},
): Promise<PlaceResult> {
  return withTemp(target, folder, async (tmp) => {
    let result: PlaceResult;
    try {
      await link(primary, tmp);
      result = { method: 'hardlink', bytesWritten: 0, fallback: null, ...(await linkStat(tmp)) };
    } catch (err) {
      if (!LINK_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      await unlink(tmp).catch(() => undefined);
      const stat = await workers.run({ kind: 'copy', source: primary, target: tmp, flags: 0 });
      result = { method: 'copy', bytesWritten: stat.size, fallback: fallbackReason('hardlink', err), ...stat };
    }
    await commit(tmp, target, result, options);
    return result;
  });
}

/** Writes generated text (the NFO) atomically. */
export async function placeText(
  workers: FsWorkers,
  text: string,
  target: string,
  folder: string,
  options: PlaceOptions = {},
): Promise<PlaceResult> {
  return withTemp(target, folder, async (tmp) => {
    const stat = await workers.run({ kind: 'text', target: tmp, text });
    const result: PlaceResult = { method: 'text', bytesWritten: stat.size, fallback: null, ...stat };
    await commit(tmp, target, result, options);
    return result;
  });
}

/**
 * Gives a file already in the library a new name (one atomic rename: no bytes move, the inode —
 * in hardlink mode shared with the cache file — stays). Refused (and the caller copies as before)
 * when the file no longer has the size and mtime it was proven by, or when the target is the same
 * file already: rename(2) would then do nothing and report success.
 */
export async function renameFile(
  from: string,
  target: string,
  folder: string,
  expect: { size: number; mtimeMs: number },
  options: Pick<PlaceOptions, 'beforeCommit'> = {},
): Promise<PlaceResult> {
  const before = await lstat(from);
  if (!before.isFile() || before.size !== expect.size || before.mtimeMs !== expect.mtimeMs) {
    throw Object.assign(new Error(`${from} changed since it was looked at`), { code: 'ECHANGED' });
  }
  const there = await lstat(target).catch(() => null);
  if (there && there.ino === before.ino && there.dev === before.dev) {
    throw Object.assign(new Error(`${target} is ${from} already`), { code: 'ESAMEFILE' });
  }
  await ensureParent(target, folder);
  await options.beforeCommit?.();
  await rename(from, target);
  return { method: 'rename', bytesWritten: 0, fallback: null, size: before.size, mtimeMs: before.mtimeMs };
}

/** Makes renames in a folder durable; best effort (folders cannot be opened on Windows). */
export async function syncFolder(workers: FsWorkers, folder: string): Promise<void> {
  await workers.run({ kind: 'syncdir', target: folder }).catch(() => undefined);
}

/** errno codes after which nothing more can be written for this item. */
export const FATAL_FOR_ITEM = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EIO']);

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the filesystem is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'a folder is in the way',
  ENOTDIR: 'a file is in the way of a folder',
  ENOENT: 'the folder is gone',
  ENAMETOOLONG: 'the name is too long for the filesystem',
  EINVAL: 'the filesystem refuses this name',
  EILSEQ: 'the filesystem refuses a character in this name',
  EIO: 'an input/output error (failing disk?)',
  ESHORT: 'the copy came out short',
};

/** An fs error as a sentence a user can act on. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && ERRNO_TEXT[e.code]) return ERRNO_TEXT[e.code]!;
  return e?.message ?? String(err);
}
