import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
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
    const made = await this.pool.run(() => thumbnailOf(bytes)).catch((err: unknown) => {
      this.s.log.child('cache').warn('No thumbnail for an original', { path: file, error: (err as Error).message });
      return undefined;
    });
    if (made === undefined) return null;
    if (made === null) return file;
    await commitTemp(await writeTemp(this.s.paths.tmp, made), thumb, { synced: true });
    return thumb;
  }
}
