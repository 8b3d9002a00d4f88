import { copyFile, link, lstat, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import type { DbOrTx } from '../db/database.ts';
import type { RecycleRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { commitTemp, ensureDir, hashFile, moveFile, removeQuietly, tempPathIn, toIoError } from './files.ts';
import { blobPath, isSha256 } from './layout.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RecyclePutOptions {
  itemId?: number | null;
  /** Why it was recycled, shown to the user ("replaced by a new poster", "unreferenced for 30 days"). */
  reason: string;
  kind: 'library-file' | 'blob';
}

export interface PurgeReport {
  purged: number;
  bytes: number;
}

/**
 * The recycle bin, shared by the cache (collected blobs) and the publisher (replaced or removed
 * library files). Nothing Posterity removes is deleted outright: it is moved to
 * `<data>/recycle/<yyyy-mm-dd>/<id>-<basename>` with a row in `recycle`, can be restored to where
 * it was, and is purged only after `recycle.retentionDays`.
 */
export class RecycleBin {
  constructor(private readonly s: Services) {}

  /**
   * Moves `absPath` into the bin and records it. The row and the move succeed or fail together;
   * on failure the file stays where it was. Throws not_found when there is no such file.
   */
  async put(absPath: string, options: RecyclePutOptions, db: DbOrTx = this.s.db): Promise<RecycleRow> {
    const info = await stat(absPath).catch(() => null);
    if (!info?.isFile()) throw new ApiError('not_found', `No file to recycle at ${absPath}`);
    const hashed = await hashFile(absPath);
    if (!hashed) throw new ApiError('not_found', `No file to recycle at ${absPath}`);
    const now = this.s.clock.now();
    const run = async (trx: DbOrTx) => {
      const { id } = await trx
        .insertInto('recycle')
        .values({
          original_path: absPath,
          stored_path: '',
          sha256: hashed.sha256,
          bytes: hashed.size,
          item_id: options.itemId ?? null,
          kind: options.kind,
          reason: options.reason,
          deleted_at: now,
          expires_at: now + this.s.settings.get('recycle.retentionDays') * DAY_MS,
          restored_at: null,
          purged_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const stored = path.join(this.s.paths.recycle, dayFolder(now), `${id}-${path.basename(absPath)}`);
      await moveFile(absPath, stored);
      return trx
        .updateTable('recycle')
        .set({ stored_path: stored })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    };
    // Inside a caller's transaction (GC marks the blob recycled in the same one) or our own.
    return db.isTransaction ? run(db) : this.s.db.transaction().execute(run);
  }

  /**
   * Puts a recycled file back where it was. Refuses (conflict) when a different file now sits
   * there; when the file there is identical, the entry is simply marked restored.
   */
  async restore(id: number): Promise<RecycleRow> {
    const row = await this.s.db.selectFrom('recycle').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError('not_found', `No recycle bin entry ${id}`, 'id');
    if (row.restored_at !== null) throw new ApiError('conflict', `Recycle bin entry ${id} was already restored`, 'id');
    if (row.purged_at !== null)
      throw new ApiError('conflict', `Recycle bin entry ${id} was purged; it cannot be restored`, 'id');
    const stored = await this.#hashStored(row);
    // A blob goes back into assets, where everything must be whole: its copy must still be its bytes.
    const blobSha = row.kind === 'blob' ? blobShaOf(row) : null;
    if (blobSha !== null && stored.sha256 !== blobSha) {
      throw new ApiError(
        'conflict',
        `The recycled copy of ${row.original_path} is damaged (its bytes changed in the bin: ${formatSize(stored.size)}, ` +
          `no longer ${blobSha.slice(0, 12)}); it stays in the bin`,
        'id',
      );
    }
    const there = await hashFile(row.original_path);
    if (there && there.sha256 !== stored.sha256) {
      throw new ApiError(
        'conflict',
        `A different file is now at ${row.original_path}; move it away first, then restore again`,
        'id',
      );
    }
    if (there) await removeQuietly(row.stored_path);
    else await moveNoClobber(row.stored_path, row.original_path);
    const now = this.s.clock.now();
    const restored = await this.s.db.transaction().execute(async (trx) => {
      if (blobSha !== null) {
        // A restored blob gets a fresh grace period before the next collection can take it.
        await trx
          .updateTable('blobs')
          .set({ state: 'available', unreferenced_since: now })
          .where('sha256', '=', blobSha)
          .where('state', '=', 'recycled')
          .execute();
      }
      return trx
        .updateTable('recycle')
        .set({ restored_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    await removeEmptyDir(path.dirname(row.stored_path));
    return restored;
  }

  /** The recycled copy's hash (streamed); refuses when it is gone or is no longer a regular file. */
  async #hashStored(row: RecycleRow): Promise<{ sha256: string; size: number }> {
    const info = await lstat(row.stored_path).catch(() => null);
    if (!info) throw new ApiError('not_found', `The recycled copy ${row.stored_path} is missing`);
    if (!info.isFile()) {
      throw new ApiError(
        'conflict',
        `The recycled copy ${row.stored_path} is no longer a file; it stays in the bin`,
        'id',
      );
    }
    const hashed = await hashFile(row.stored_path);
    if (!hashed) throw new ApiError('not_found', `The recycled copy ${row.stored_path} is missing`);
    return hashed;
  }

  async list(options: { includeRestored?: boolean; includePurged?: boolean } = {}): Promise<RecycleRow[]> {
    let q = this.s.db.selectFrom('recycle').selectAll();
    if (!options.includeRestored) q = q.where('restored_at', 'is', null);
    if (!options.includePurged) q = q.where('purged_at', 'is', null);
    return q.orderBy('deleted_at', 'desc').orderBy('id', 'desc').execute();
  }

  /**
   * Deletes recycled files for good: those past their retention, or all when `expiredOnly` is
   * false. The only place Posterity deletes anything that was the user's. A purged blob's row
   * (and its provenance) goes too, unless the same bytes were stored again meanwhile.
   */
  async purge(options: { expiredOnly: boolean; dryRun?: boolean }): Promise<PurgeReport> {
    const now = this.s.clock.now();
    let q = this.s.db.selectFrom('recycle').selectAll().where('restored_at', 'is', null).where('purged_at', 'is', null);
    if (options.expiredOnly) q = q.where('expires_at', '<=', now);
    const rows = await q.execute();
    let bytes = 0;
    if (options.dryRun) return { purged: rows.length, bytes: rows.reduce((n, r) => n + r.bytes, 0) };
    const dirs = new Set<string>();
    for (const row of rows) {
      await unlink(row.stored_path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw toIoError(err, row.stored_path);
      });
      dirs.add(path.dirname(row.stored_path));
      bytes += row.bytes;
      await this.s.db.transaction().execute(async (trx) => {
        await trx.updateTable('recycle').set({ purged_at: now }).where('id', '=', row.id).execute();
        if (row.kind === 'blob' && row.sha256) {
          await trx.deleteFrom('blobs').where('sha256', '=', row.sha256).where('state', '=', 'recycled').execute();
        }
      });
    }
    for (const dir of dirs) await removeEmptyDir(dir);
    return { purged: rows.length, bytes };
  }

  /**
   * A recycled copy of `sha` that still hashes right, for repairing the cache; null when none.
   */
  async findCopy(sha: string): Promise<string | null> {
    const rows = await this.s.db
      .selectFrom('recycle')
      .select('stored_path')
      .where('sha256', '=', sha)
      .where('purged_at', 'is', null)
      .where('restored_at', 'is', null)
      .execute();
    for (const row of rows) {
      if ((await hashFile(row.stored_path))?.sha256 === sha) return row.stored_path;
    }
    return null;
  }

  /** Where a recycled blob goes back to. */
  blobHome(area: 'assets' | 'previews', sha: string, ext: string): string {
    return blobPath(this.s.paths, area, sha, ext);
  }
}

/**
 * The hash a recycled blob must have: its name at home (`<sha256>.<ext>`), which is what the cache
 * addresses it by. The hash recorded at recycling is only a fallback: it is of whatever the file
 * held then, which may already have been damaged.
 */
function blobShaOf(row: RecycleRow): string {
  const named = path.basename(row.original_path).split('.')[0] ?? '';
  return isSha256(named) ? named : (row.sha256 ?? '');
}

function formatSize(bytes: number): string {
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/** `yyyy-mm-dd` (UTC) of a time, the recycle bin's day folder. */
export function dayFolder(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Moves a file to a path that must not exist: a hardlink cannot replace an existing file, so a
 * file that appears at the target meanwhile is never overwritten.
 */
async function moveNoClobber(from: string, to: string): Promise<void> {
  await ensureDir(path.dirname(to));
  try {
    await link(from, to);
    await unlink(from);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ApiError('conflict', `A file appeared at ${to}; it was left alone`);
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw toIoError(err, to);
  }
  // Another filesystem (or one without hardlinks): copy beside the target, then link into place.
  const tmp = tempPathIn(path.dirname(to));
  try {
    await copyFile(from, tmp);
    await commitTemp(tmp, `${tmp}.ready`);
    await link(`${tmp}.ready`, to).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw new ApiError('conflict', `A file appeared at ${to}; it was left alone`);
      // No hardlinks at all there: fall back to a rename after a last check.
      if ((await stat(to).catch(() => null)) !== null) throw new ApiError('conflict', `A file appeared at ${to}`);
      await moveFile(`${tmp}.ready`, to);
    });
  } finally {
    await removeQuietly(tmp);
    await removeQuietly(`${tmp}.ready`);
  }
  await unlink(from).catch(() => undefined);
}

async function removeEmptyDir(dir: string): Promise<void> {
  const left = await readdir(dir).catch(() => null);
  if (left && left.length === 0) await rmdir(dir).catch(() => undefined);
}
