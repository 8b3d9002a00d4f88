import { createHash, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, fdatasync, open as openFd, write, writeSync } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { ApiError } from '../../../shared/api/errors.ts';
import { Rejection } from './gate.ts';
import { processAlive } from '../process-alive.ts';

/*
 * File plumbing for the cache and the recycle bin. Every file that appears under a cache or
 * recycle folder arrives by rename from a fsynced temp file on the same filesystem, so a crash
 * leaves either the old state or the new one, never half a file.
 */

/**
 * `mkdir -p` with the real reason on failure: Node reports a recursive mkdir refused by a
 * read-only filesystem as ENOENT, so the first missing folder is created alone to learn why.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toIoError(err, dir);
    let missing = dir;
    while (path.dirname(missing) !== missing && !(await stat(path.dirname(missing)).catch(() => null))) {
      missing = path.dirname(missing);
    }
    await mkdir(missing).catch((cause: unknown) => {
      throw toIoError(cause, missing);
    });
    throw toIoError(err, dir);
  }
}

const knownDirs = new Set<string>();

/** `ensureDir` that remembers folders it made: shard folders are made once, not on every write. */
async function ensureDirCached(dir: string): Promise<void> {
  if (knownDirs.has(dir)) return;
  await ensureDir(dir);
  if (knownDirs.size > 100_000) knownDirs.clear();
  knownDirs.add(dir);
}

/** Writes all of `bytes`: a single write may be short (a nearly full disk), never silently. */
async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
    if (bytesWritten === 0) throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}

/**
 * A body received and hashed. Bodies up to `SPILL_BYTES` stay in memory (the temp file is
 * written beside validation, see `Ingest`); larger ones stream into a temp file as they arrive,
 * so memory stays bounded whatever a server sends.
 */
export interface Received {
  sha256: string;
  size: number;
  /** The whole body, when it stayed in memory. */
  bytes: Buffer | null;
  /** The temp file holding the body (not yet fsynced), when it was too big for memory. */
  tmpPath: string | null;
}

/** Bodies above this spill to a temp file while they stream in. */
export const SPILL_BYTES = 8 * 1024 * 1024;

const TEMP_SUFFIX = '.part';

/** `<tmp>/<pid>-<uuid>.part`: the pid lets a later start tell a dead process's leftovers from live work. */
export function tempPathIn(dir: string): string {
  return path.join(dir, `${process.pid}-${randomUUID()}${TEMP_SUFFIX}`);
}

/**
 * Reads `source`, hashing as it goes; refuses (Rejection) past `maxBytes` and stops reading at
 * once. A body past `SPILL_BYTES` continues into a new temp file in `dir` (reported through
 * `onTemp` as soon as it exists). On any failure that file is removed.
 */
export async function receive(
  source: Readable | AsyncIterable<Uint8Array>,
  dir: string,
  maxBytes: number,
  options: { signal?: AbortSignal | undefined; onTemp?: (tmpPath: string) => void } = {},
): Promise<Received> {
  const hash = createHash('sha256');
  let size = 0;
  let chunks: Uint8Array[] = [];
  let tmpPath: string | null = null;
  let file: FileHandle | null = null;
  try {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      options.signal?.throwIfAborted();
      size += chunk.length;
      if (size > maxBytes) throw new Rejection(`larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
      hash.update(chunk);
      if (file) {
        await writeAll(file, chunk).catch(rethrowIo(tmpPath!));
        continue;
      }
      chunks.push(chunk);
      if (size > SPILL_BYTES) {
        await ensureDir(dir);
        tmpPath = tempPathIn(dir);
        file = await open(tmpPath, 'wx').catch(rethrowIo(tmpPath));
        options.onTemp?.(tmpPath);
        await writeAll(file, Buffer.concat(chunks)).catch(rethrowIo(tmpPath));
        chunks = [];
      }
    }
    await file?.close();
  } catch (err) {
    if (isReadable(source)) source.destroy();
    await file?.close().catch(() => undefined);
    if (tmpPath) await removeQuietly(tmpPath);
    throw err;
  }
  return { sha256: hash.digest('hex'), size, bytes: tmpPath ? null : Buffer.concat(chunks, size), tmpPath };
}

/** fsyncs (data) an already written file. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+').catch(rethrowIo(file));
  try {
    await handle.datasync().catch(rethrowIo(file));
  } finally {
    await handle.close();
  }
}

/**
 * Bodies up to this size are written into their (just opened) temp file with one synchronous
 * write: a copy into the page cache, cheaper than a round trip through the thread pool that
 * sharp's decodes share. Creating, fsyncing and renaming, which can wait on the filesystem's
 * journal, stay asynchronous.
 */
const SYNC_WRITE_BYTES = 4 * 1024 * 1024;

const openAsync = promisify(openFd);
const fdatasyncAsync = promisify(fdatasync);
const writeAsync = promisify(write);

/** Writes all of `bytes` to `fd` (a short write means a full disk, never a silent truncation). */
async function writeAllFd(fd: number, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const n =
      bytes.length <= SYNC_WRITE_BYTES
        ? writeSync(fd, bytes, offset, bytes.length - offset)
        : (await writeAsync(fd, bytes, offset, bytes.length - offset, null)).bytesWritten;
    if (n === 0) throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
    offset += n;
  }
}

/** Writes bytes to a new fsynced temp file in `dir` (`onCreate` learns its name at once). */
export async function writeTemp(dir: string, bytes: Uint8Array, onCreate?: (tmpPath: string) => void): Promise<string> {
  await ensureDirCached(dir);
  const tmpPath = tempPathIn(dir);
  const fd = await openAsync(tmpPath, 'wx')
    .catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      knownDirs.delete(dir); // the folder went away since it was made
      await ensureDir(dir);
      return openAsync(tmpPath, 'wx');
    })
    .catch(rethrowIo(tmpPath));
  onCreate?.(tmpPath);
  try {
    await writeAllFd(fd, bytes);
    // Data and size reach the disk before the rename; the inode times do not matter here.
    await fdatasyncAsync(fd);
    closeSync(fd);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed, or the close itself failed: the file is removed either way
    }
    await removeQuietly(tmpPath);
    throw toIoError(err, tmpPath);
  }
  return tmpPath;
}

/** fsync, then rename into place (creating the folder). The temp file is gone afterwards either way. */
export async function commitTemp(
  tmpPath: string,
  finalPath: string,
  options: { synced?: boolean } = {},
): Promise<void> {
  try {
    if (!options.synced) await syncFile(tmpPath);
    const dir = path.dirname(finalPath);
    await ensureDirCached(dir);
    await rename(tmpPath, finalPath).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      // The folder went away since it was made (someone cleaned the cache by hand): once more.
      knownDirs.delete(dir);
      await ensureDir(dir);
      await rename(tmpPath, finalPath);
    });
  } catch (err) {
    await removeQuietly(tmpPath);
    throw toIoError(err, finalPath);
  }
}

/**
 * Moves a file, also across filesystems (a library on a NAS, the recycle bin on the local disk):
 * rename when possible, else copy to a fsynced temp beside the target, rename, then remove the
 * source. The source disappears only once the target is whole.
 */
export async function moveFile(from: string, to: string): Promise<void> {
  await ensureDir(path.dirname(to));
  try {
    await rename(from, to);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw toIoError(err, from);
  }
  const tmp = tempPathIn(path.dirname(to));
  try {
    await copyFile(from, tmp);
    await commitTemp(tmp, to);
  } catch (err) {
    await removeQuietly(tmp);
    throw toIoError(err, to);
  }
  await unlink(from).catch(rethrowIo(from));
}

/** Hardlink when possible (free), else copy via a fsynced temp. Never overwrites `to`. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  await ensureDir(path.dirname(to));
  try {
    await link(from, to);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw toIoError(err, to);
  }
  const tmp = tempPathIn(path.dirname(to));
  await copyFile(from, tmp).catch(rethrowIo(to));
  await commitTemp(tmp, to);
}

/** SHA-256 of a file, streamed; null when it does not exist. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number } | null> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      size += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw toIoError(err, file);
  }
  return { sha256: hash.digest('hex'), size };
}

export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Removes temp files left by processes that died mid-write (a kill during download). Files of a
 * live process are left alone unless they are a day old; they are our own scratch files, never
 * the user's.
 */
export async function cleanStaleTemps(dir: string, nowMs: number, active: ReadonlySet<string>): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const file = path.join(dir, name);
    if (active.has(file)) continue;
    const pid = Number(name.split('-')[0]);
    const info = await stat(file).catch(() => null);
    if (!info) continue;
    const old = nowMs - info.mtimeMs > STALE_AFTER_MS;
    const ours = pid === process.pid;
    if (!old && (ours || processAlive(pid))) continue;
    await removeQuietly(file);
    removed++;
  }
  return removed;
}

const IO_TEXT: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the filesystem is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'a folder is in the way',
  EEXIST: 'a file is already there',
  ENOENT: 'not found',
  EIO: 'an input/output error (failing disk?)',
};

/** An errno error as an `io_error` a user can act on; other errors pass through. */
export function toIoError(err: unknown, file: string): unknown {
  if (err instanceof ApiError || err instanceof Rejection) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new ApiError('io_error', `Cannot write ${file}: ${IO_TEXT[code] ?? code}`);
  }
  return err;
}

function rethrowIo(file: string) {
  return (err: unknown): never => {
    throw toIoError(err, file);
  };
}

function isReadable(value: unknown): value is Readable {
  return typeof (value as Readable)?.destroy === 'function';
}
