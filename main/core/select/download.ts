import type { AssetType } from '../../../shared/asset-types.ts';
import type { DbOrTx } from '../db/database.ts';
import type { CandidateRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import type { CachePort } from './cache-port.ts';
import { setSlotBlob } from './slots-repo.ts';

/** The candidate's full image if the cache still holds it. */
export async function availableBlob(db: DbOrTx, candidate: Pick<CandidateRow, 'blob_sha'>): Promise<string | null> {
  if (!candidate.blob_sha) return null;
  const blob = await db
    .selectFrom('blobs')
    .select('state')
    .where('sha256', '=', candidate.blob_sha)
    .where('area', '=', 'assets')
    .executeTakeFirst();
  return blob?.state === 'available' ? candidate.blob_sha : null;
}

export type DownloadOutcome = { sha: string; fetched: boolean; error: null } | { sha: null; fetched: false; error: string };

/**
 * Makes sure a chosen candidate's full image is in the cache and records it on the candidate and
 * on the slot (while the slot still holds that candidate). A failure is recorded on the
 * candidate and returned, never thrown, so the choice stands and a later run retries it;
 * cancellation is the one thing that throws.
 */
export async function downloadForSlot(
  s: Services,
  cache: CachePort,
  candidate: CandidateRow,
  slot: { itemId: number; type: AssetType; rank: number },
  signal?: AbortSignal,
): Promise<DownloadOutcome> {
  let sha = await availableBlob(s.db, candidate);
  const fetched = sha === null;
  if (!sha) {
    try {
      const blob = await cache.ingestUrl(candidate.url, {
        provider: candidate.provider,
        area: 'assets',
        candidateId: candidate.id,
        ...(signal ? { signal } : {}),
      });
      sha = blob.sha256;
      await s.db
        .updateTable('candidates')
        .set({ blob_sha: sha, download_error: null })
        .where('id', '=', candidate.id)
        .execute();
    } catch (err) {
      if (signal?.aborted || (err instanceof Error && err.name === 'AbortError')) throw err;
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      s.log.child('select').warn('Download of a chosen image failed', { candidateId: candidate.id, error });
      await s.db.updateTable('candidates').set({ download_error: error }).where('id', '=', candidate.id).execute();
      return { sha: null, fetched: false, error };
    }
  }
  await setSlotBlob(s.db, slot.itemId, slot.type, slot.rank, candidate.id, sha);
  return { sha, fetched, error: null };
}
