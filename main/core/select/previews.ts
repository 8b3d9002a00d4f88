import type { PreviewStats } from '../../../shared/api/artwork.ts';
import type { Services } from '../services.ts';
import type { CachePort } from './cache-port.ts';
import { forEachLimit } from './limit.ts';
import { hashImage } from './phash.ts';

/** Previews fetched at once per item; the HTTP client's image budget limits the host further. */
export const PREVIEW_CONCURRENCY = 6;

const isAbort = (err: unknown, signal?: AbortSignal) =>
  signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');

/**
 * Fetches the preview of every candidate of an item that has no perceptual hash yet, into the
 * cache's preview area (so the picker shows it offline), and records its hash. A preview that
 * fails to download or decode marks its candidate "no hash": it is still scored, only not
 * grouped with look-alikes. Nothing here fails the run except cancellation.
 */
export async function fetchPreviews(
  s: Services,
  cache: CachePort,
  itemId: number,
  options: { retryFailed?: boolean; signal?: AbortSignal } = {},
): Promise<PreviewStats> {
  const stats: PreviewStats = { fetched: 0, failed: 0 };
  let q = s.db
    .selectFrom('candidates')
    .select(['id', 'provider', 'url', 'preview_url'])
    .where('item_id', '=', itemId)
    .where('phash', 'is', null)
    .where('gone_at', 'is', null);
  if (!options.retryFailed) q = q.where('hash_error', 'is', null);
  const todo = await q.orderBy('id').execute();
  const log = s.log.child('select');
  await forEachLimit(
    todo,
    PREVIEW_CONCURRENCY,
    async (c) => {
      try {
        const blob = await cache.ingestUrl(c.preview_url ?? c.url, {
          provider: c.provider,
          area: 'previews',
          candidateId: c.id,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const phash = blob.phash ?? (await hashBlobFile(cache, blob.sha256));
        await s.db
          .updateTable('candidates')
          .set({ preview_sha: blob.sha256, phash, hash_error: null })
          .where('id', '=', c.id)
          .execute();
        stats.fetched++;
      } catch (err) {
        if (isAbort(err, options.signal)) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        log.warn('Preview failed; candidate kept without a hash', { candidateId: c.id, error: reason });
        await s.db
          .updateTable('candidates')
          .set({ hash_error: `no hash: ${reason}`.slice(0, 500) })
          .where('id', '=', c.id)
          .execute();
        stats.failed++;
      }
    },
    options.signal,
  );
  return stats;
}

/** The cache computes the hash as it stores a blob; this covers a blob stored without one. */
async function hashBlobFile(cache: CachePort, sha: string): Promise<string> {
  const file = await cache.pathOf(sha);
  if (!file) throw new Error('the preview is not in the cache');
  return hashImage(file);
}
