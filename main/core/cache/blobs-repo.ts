import type { DbOrTx } from '../db/database.ts';
import type { BlobRow, DownloadRow } from '../db/schema.ts';
import type { CacheArea } from './layout.ts';

/** What the cache records about one stored image. */
export interface NewBlob {
  sha256: string;
  ext: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  phash: string;
  area: CacheArea;
}

export async function getBlob(db: DbOrTx, sha: string): Promise<BlobRow | undefined> {
  return db.selectFrom('blobs').selectAll().where('sha256', '=', sha).executeTakeFirst();
}

/**
 * Records a blob as available with one more provenance. Re-storing known bytes revives a
 * quarantined or recycled row and restarts its lease (unreferenced_since cleared), so a blob
 * someone just asked for is never collected before they can point a slot at it.
 */
export async function upsertAvailableBlob(
  db: DbOrTx,
  blob: NewBlob,
  source: { provider: string; source: string },
  now: number,
): Promise<BlobRow> {
  const row = await db
    .insertInto('blobs')
    .values({ ...blob, state: 'available', created_at: now, verified_at: now, unreferenced_since: null })
    .onConflict((oc) =>
      oc.column('sha256').doUpdateSet({
        ext: blob.ext,
        mime: blob.mime,
        width: blob.width,
        height: blob.height,
        bytes: blob.bytes,
        phash: blob.phash,
        area: blob.area,
        state: 'available',
        verified_at: now,
        unreferenced_since: null,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  await addSource(db, blob.sha256, source, now);
  return row;
}

/** One more provenance for stored bytes (the same image from another provider or URL). */
export async function addSource(db: DbOrTx, sha: string, source: { provider: string; source: string }, now: number): Promise<void> {
  await db
    .insertInto('blob_sources')
    .values({ sha256: sha, provider: source.provider, source: source.source, added_at: now })
    .onConflict((oc) => oc.columns(['sha256', 'source']).doNothing())
    .execute();
}

/** Restarts a blob's lease: it was just handed to a caller who is about to reference it. */
export async function touchBlob(db: DbOrTx, sha: string): Promise<void> {
  await db.updateTable('blobs').set({ unreferenced_since: null }).where('sha256', '=', sha).execute();
}

export async function getDownload(db: DbOrTx, url: string, area: CacheArea): Promise<DownloadRow | undefined> {
  return db.selectFrom('downloads').selectAll().where('url', '=', url).where('area', '=', area).executeTakeFirst();
}

/** Marks a download PENDING (one more attempt), creating its row when new. */
export async function markPending(
  db: DbOrTx,
  d: { url: string; area: CacheArea; provider: string; candidateId: number | null },
  now: number,
): Promise<void> {
  const candidateId = d.candidateId === null ? null : await existingCandidate(db, d.candidateId);
  await db
    .insertInto('downloads')
    .values({
      url: d.url,
      area: d.area,
      provider: d.provider,
      candidate_id: candidateId,
      state: 'pending',
      attempts: 1,
      error: null,
      blob_sha: null,
      requested_at: now,
      finished_at: null,
    })
    .onConflict((oc) =>
      oc.columns(['url', 'area']).doUpdateSet((eb) => ({
        state: 'pending',
        attempts: eb(eb.ref('downloads.attempts'), '+', 1),
        error: null,
        provider: d.provider,
        candidate_id: candidateId ?? eb.ref('downloads.candidate_id'),
        requested_at: now,
        finished_at: null,
      })),
    )
    .execute();
}

export async function markDownloadDone(
  db: DbOrTx,
  url: string,
  area: CacheArea,
  outcome: { sha: string } | { error: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('downloads')
    .set(
      'sha' in outcome
        ? { state: 'available', blob_sha: outcome.sha, error: null, finished_at: now }
        : { state: 'failed', error: outcome.error, finished_at: now },
    )
    .where('url', '=', url)
    .where('area', '=', area)
    .execute();
}

/** Notes the outcome on the candidate the image belongs to (the UI shows the reason beside it). */
export async function noteOnCandidate(
  db: DbOrTx,
  candidateId: number,
  area: CacheArea,
  outcome: { sha: string } | { error: string },
): Promise<void> {
  const set =
    area === 'assets'
      ? 'sha' in outcome
        ? { blob_sha: outcome.sha, download_error: null }
        : { download_error: outcome.error }
      : 'sha' in outcome
        ? { preview_sha: outcome.sha, hash_error: null }
        : { hash_error: outcome.error };
  await db.updateTable('candidates').set(set).where('id', '=', candidateId).execute();
}

async function existingCandidate(db: DbOrTx, id: number): Promise<number | null> {
  const row = await db.selectFrom('candidates').select('id').where('id', '=', id).executeTakeFirst();
  return row?.id ?? null;
}
