import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { CallOptions } from '../../../shared/api/index.ts';
import { forEachLimit } from '../select/limit.ts';
import type { Services } from '../services.ts';
import { commitTemp, exists, writeTemp } from './files.ts';
import { GATE_LIMITS, thumbnailOf } from './gate.ts';
import { THUMB_SELF_MAX_WIDTH, thumbPath, type ThumbSize } from './layout.ts';
import type { WorkPool } from './pool.ts';

/**
 * Pictures the scan found in the library (the user's originals) stay where they are, outside
 * the cache, yet the UI must show them beside the candidates. A hash names one of them only
 * while the file still has the size and time the scan recorded, so a file changed since is
 * never served under its old hash; the next scan records the new one.
 */
export class OriginalImages {
  /** Thumbnails being made, so concurrent requests for one make it once. */
  readonly #making = new Map<string, Promise<string | null>>();

  constructor(
    private readonly s: Services,
    private readonly pool: WorkPool,
  ) {}

  /** The file to serve for an original's hash and size, or null when no original has it now. */
  async path(sha: string, size: ThumbSize): Promise<string | null> {
    const original = await this.#find(sha);
    if (!original) return null;
    if (size === 'full' || (original.width !== null && original.width <= THUMB_SELF_MAX_WIDTH)) return original.path;
    const thumb = thumbPath(this.s.paths, sha, 'thumb');
    if (await exists(thumb)) return thumb;
    let job = this.#making.get(sha);
    if (!job) {
      job = this.#makeThumb(sha, original.path, thumb).finally(() => this.#making.delete(sha));
      this.#making.set(sha, job);
    }
    return job;
  }

  async #find(sha: string): Promise<{ path: string; width: number | null } | null> {
    const rows = await this.s.db
      .selectFrom('library_files')
      .select(['path', 'bytes', 'mtime', 'width'])
      .where('sha256', '=', sha)
      .where('origin', '=', 'original')
      .where('role', '=', 'art')
      .execute();
    for (const row of rows) {
      const st = await stat(row.path).catch(() => null);
      if (st?.isFile() && st.size === row.bytes && st.mtimeMs === row.mtime) return row;
    }
    return null;
  }

  /**
   * Reads the original, proves it still has the hash (the thumbnail is stored under it), and
   * writes the thumbnail beside the cache's own. Null when it no longer matches or decodes.
   */
  async #makeThumb(sha: string, file: string, thumb: string): Promise<string | null> {
    const bytes = await readFile(file);
    if (bytes.length > GATE_LIMITS.maxBytes || createHash('sha256').update(bytes).digest('hex') !== sha) return null;
    const made = await this.pool
      .run(() => thumbnailOf(bytes))
      .catch((err: unknown) => {
        this.s.log.child('cache').warn('No thumbnail for an original', { path: file, error: (err as Error).message });
        return undefined;
      });
    if (made === undefined) return null;
    if (made === null) return file;
    await commitTemp(await writeTemp(this.s.paths.tmp, made), thumb, { synced: true });
    return thumb;
  }
}

export interface ProtectReport {
  /** Originals copied into the cache now. */
  copied: number;
  /** Originals that could not be (changed since the scan, unreadable, not an image): left as they are. */
  skipped: number;
}

/**
 * Copies into the cache the user's originals that are the current image of one of these items'
 * slots, so that a library wiped by an upgrade or a disk swap can be rebuilt with them too. Each
 * copy passes the gate like any image, and must still have the hash the scan recorded (a file
 * changed since waits for the next scan). Never touches the library file.
 */
export async function protectOriginals(
  s: Services,
  ingestFile: (
    path: string,
    options: { provider: 'original'; thumbnails: boolean; expectSha: string },
  ) => Promise<unknown>,
  itemIds: readonly number[],
  options: { concurrency: number } & CallOptions,
): Promise<ProtectReport> {
  const report: ProtectReport = { copied: 0, skipped: 0 };
  const wanted = new Map<string, string>();
  for (let i = 0; i < itemIds.length; i += 500) {
    const rows = await s.db
      .selectFrom('slots')
      .innerJoin('library_files', (j) =>
        j.onRef('library_files.item_id', '=', 'slots.item_id').onRef('library_files.sha256', '=', 'slots.blob_sha'),
      )
      .leftJoin('blobs', 'blobs.sha256', 'slots.blob_sha')
      .select(['library_files.sha256 as sha', 'library_files.path'])
      .where('slots.item_id', 'in', itemIds.slice(i, i + 500))
      .where('slots.chosen_by', '=', 'original')
      .where('library_files.origin', '=', 'original')
      .where((eb) => eb.or([eb('blobs.sha256', 'is', null), eb('blobs.state', '!=', 'available')]))
      .execute();
    for (const r of rows) if (r.sha) wanted.set(r.sha, r.path);
  }
  const total = wanted.size;
  const progress = () =>
    options.onProgress?.({ done: report.copied + report.skipped, total, label: 'Keeping a copy of your own pictures' });
  if (total > 0) progress();
  // The decode pool bounds the work; one more in flight keeps it fed while a file is read.
  await forEachLimit(
    [...wanted],
    options.concurrency + 1,
    async ([sha, file]) => {
      try {
        await ingestFile(file, { provider: 'original', thumbnails: false, expectSha: sha });
        report.copied++;
      } catch (err) {
        report.skipped++;
        s.log
          .child('cache')
          .info('An original was not copied into the cache', { path: file, reason: (err as Error).message });
      }
      progress();
    },
    options.signal,
  );
  return report;
}
