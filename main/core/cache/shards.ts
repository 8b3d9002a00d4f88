import type { Dirent, Stats } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { hashFile, toIoError } from './files.ts';
import { STORED_FORMATS } from './formats.ts';

/*
 * What is on disk under the content-addressed folders, looked at without trusting it: a blob's
 * path may hold a folder or a symlink loop, a shard folder may hold files Posterity never wrote.
 * Everything here uses lstat/readdir with file types, so nothing is followed and a walk of 100k
 * files costs one readdir per folder (no stat per file unless sizes are asked for).
 */

/** What sits at a path that should be a regular file. */
export type PathContent =
  | { kind: 'file'; sha256: string; size: number }
  | { kind: 'missing' }
  /** Anything but a regular file: `what` says what, for the report ("a folder"). */
  | { kind: 'other'; what: string };

/** How a non-file is named in reports; first match wins. */
const NON_FILE_NAMES: readonly [(s: Stats | Dirent) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a folder'],
  [(s) => s.isSymbolicLink(), 'a symbolic link'],
  [(s) => s.isFIFO(), 'a named pipe (FIFO)'],
  [(s) => s.isSocket(), 'a socket'],
  [(s) => s.isBlockDevice() || s.isCharacterDevice(), 'a device'],
];

export function nonFileName(s: Stats | Dirent): string {
  return NON_FILE_NAMES.find(([test]) => test(s))?.[1] ?? 'not a regular file';
}

/** Hashes a regular file (streamed); a folder, symlink or device there is named, never read or followed. */
export async function examinePath(file: string): Promise<PathContent> {
  const info = await lstat(file).catch((err: NodeJS.ErrnoException) => {
    // ENOTDIR: a file sits where one of its folders should be; the blob is missing either way.
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw toIoError(err, file);
  });
  if (!info) return { kind: 'missing' };
  if (!info.isFile()) return { kind: 'other', what: nonFileName(info) };
  const hashed = await hashFile(file);
  return hashed ? { kind: 'file', ...hashed } : { kind: 'missing' };
}

/**
 * True when a file is a whole WebP by its RIFF header: 'RIFF', a size that matches the file's
 * (a truncated or padded file does not), 'WEBP'. 12 bytes read; no decode.
 */
export async function isWholeWebp(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, 12, 0);
    if (bytesRead < 12) return false;
    const riff = head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP';
    return riff && head.readUInt32LE(4) + 8 === size;
  } finally {
    await handle.close();
  }
}

/** An entry met by `walkShards`. */
export interface ShardEntry {
  abs: string;
  /** Relative to the walked root, e.g. `ab/cd/<name>`. */
  rel: string;
  name: string;
  isFile: boolean;
  /** What it is when not a regular file ("a folder"). */
  what: string | null;
  /** `abcd` for an entry in `ab/cd/`; null for an entry where no file belongs (top or middle level). */
  shard: string | null;
}

const SHARD_DIR = /^[0-9a-f]{2}$/;

/**
 * Every entry of a sharded folder (`<root>/ab/cd/<name>`): the files in shard folders, and anything
 * found where only shard folders belong (`shard: null`; a misnamed folder is given whole, not entered).
 */
export async function* walkShards(root: string): AsyncGenerator<ShardEntry> {
  yield* walkLevel(root, '', 0);
}

async function* walkLevel(dir: string, rel: string, depth: number): AsyncGenerator<ShardEntry> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as Dirent[];
    throw toIoError(err, dir);
  });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const abs = path.join(dir, e.name);
    const entryRel = rel ? `${rel}/${e.name}` : e.name;
    if (depth < 2 && e.isDirectory() && SHARD_DIR.test(e.name)) {
      yield* walkLevel(abs, entryRel, depth + 1);
      continue;
    }
    yield {
      abs,
      rel: entryRel,
      name: e.name,
      isFile: e.isFile(),
      what: e.isFile() ? null : nonFileName(e),
      shard: depth === 2 ? rel.replace('/', '') : null,
    };
  }
}

/** The names each sharded folder may hold; the hash's first four characters must be its shard. */
const EXTS = Object.values(STORED_FORMATS)
  .map((f) => f.ext)
  .join('|');
export const SHARD_NAMES = {
  assets: new RegExp(`^([0-9a-f]{64})\\.(?:${EXTS})$`),
  previews: new RegExp(`^([0-9a-f]{64})\\.(?:${EXTS})$`),
  thumbs: /^([0-9a-f]{64})-thumb\.webp$/,
} as const;

export type ShardedFolder = keyof typeof SHARD_NAMES;

/** The hash an entry is named after when it is where Posterity would have put it; else null. */
export function shaOfEntry(folder: ShardedFolder, e: ShardEntry): string | null {
  const sha = SHARD_NAMES[folder].exec(e.name)?.[1];
  return sha && e.shard !== null && sha.startsWith(e.shard) ? sha : null;
}

/** Files and bytes under a sharded folder (one lstat per file). */
export async function shardUsage(root: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const e of walkShards(root)) {
    if (!e.isFile) continue;
    const info = await lstat(e.abs).catch(() => null);
    if (!info) continue;
    files++;
    bytes += info.size;
  }
  return { files, bytes };
}
