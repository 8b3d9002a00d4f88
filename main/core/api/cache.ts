import path from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import type { BlobInfo, DownloadInfo, RecycleEntry, cacheMethods } from '../../../shared/api/cache.ts';
import type { Slot } from '../../../shared/api/artwork.ts';
import type { AssetType } from '../../../shared/asset-types.ts';
import { recognizeArtFile, type MovieLayout } from '../../../shared/naming.ts';
import type { Db } from '../db/database.ts';
import type { BlobRow, DownloadRow, RecycleRow, SlotRow } from '../db/schema.ts';
import { redactUrl } from '../providers/http.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function cacheHandlers(s: Services): HandlersFor<typeof cacheMethods> {
  return {
    'cache-import': async ({ itemId, type, file, rank }) => {
      const { blob, slot } = await s.cache.importUserImage({
        itemId,
        type,
        file,
        ...(rank === undefined ? {} : { rank }),
      });
      return { blob: await blobInfo(s.db, blob), slot: slotView(slot) };
    },
    'cache-verify': async ({ repair }, options) => s.cache.verify({ repair, ...options }),
    'cache-gc': async ({ dryRun }) => s.cache.gc({ dryRun }),
    'cache-blob': async ({ sha256 }) => {
      const blob = await s.db.selectFrom('blobs').selectAll().where('sha256', '=', sha256).executeTakeFirst();
      if (!blob) throw new ApiError('not_found', `No cached image ${sha256}`, 'sha256');
      return blobInfo(s.db, blob);
    },
    'cache-downloads': async ({ state, limit }) => {
      let q = s.db.selectFrom('downloads').selectAll();
      if (state) q = q.where('state', '=', state);
      const rows = await q.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(downloadInfo);
    },
    'cache-resume': async (_params, options) => s.cache.resumePending(options),
    'recycle-list': async (options) => (await s.cache.recycle.list(options)).map(recycleEntry),
    'recycle-restore': async ({ id }) => recycleEntry(await s.cache.recycle.restore(id)),
    'recycle-reuse': async ({ id }) => {
      const { itemId, type, rank, file } = await reusableRecycled(s, id);
      const { blob } = await s.cache.importUserImage({ itemId, type, rank, file });
      return { itemId, type, rank, blob: await blobInfo(s.db, blob) };
    },
    'recycle-purge': async ({ expiredOnly }) => s.cache.recycle.purge({ expiredOnly }),
  };
}

/**
 * What a recycled library picture was for: its movie, and the slot its file name gave it (read
 * with the naming table, as the scan read it). Refuses entries that are not such a picture.
 */
async function reusableRecycled(
  s: Services,
  id: number,
): Promise<{ itemId: number; type: AssetType; rank: number; file: string }> {
  const row = await s.db.selectFrom('recycle').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.restored_at !== null || row.purged_at !== null)
    throw new ApiError('not_found', `No recycled file ${id} in the bin`, 'id');
  const item =
    row.kind === 'library-file' && row.item_id !== null
      ? await s.db
          .selectFrom('items')
          .select(['id', 'folder', 'basename', 'layout'])
          .where('id', '=', row.item_id)
          .executeTakeFirst()
      : undefined;
  if (!item) throw new ApiError('bad_request', `Recycled file ${id} is not a picture of a movie`, 'id');
  const rel = path.relative(item.folder, row.original_path).split(path.sep).join('/');
  const art = rel.startsWith('..') ? null : recognizeArtFile(rel, item.basename, item.layout as MovieLayout);
  if (!art)
    throw new ApiError('bad_request', `${path.basename(row.original_path)} is not named as artwork of its movie`, 'id');
  // Pictures from extrafanart/ carry no rank of their own: they come back as the first fanart.
  return { itemId: item.id, type: art.type, rank: art.rank ?? 0, file: row.stored_path };
}

async function blobInfo(db: Db, blob: BlobRow): Promise<BlobInfo> {
  const sources = await db
    .selectFrom('blob_sources')
    .selectAll()
    .where('sha256', '=', blob.sha256)
    .orderBy('added_at')
    .execute();
  return {
    sha256: blob.sha256,
    ext: blob.ext,
    mime: blob.mime,
    width: blob.width,
    height: blob.height,
    bytes: blob.bytes,
    phash: blob.phash,
    area: blob.area,
    state: blob.state,
    createdAt: blob.created_at,
    verifiedAt: blob.verified_at,
    unreferencedSince: blob.unreferenced_since,
    sources: sources.map((r) => ({ provider: r.provider, source: redactUrl(r.source), addedAt: r.added_at })),
  };
}

function downloadInfo(d: DownloadRow): DownloadInfo {
  return {
    id: d.id,
    url: redactUrl(d.url),
    area: d.area,
    provider: d.provider,
    candidateId: d.candidate_id,
    state: d.state,
    attempts: d.attempts,
    error: d.error,
    blobSha: d.blob_sha,
    requestedAt: d.requested_at,
    finishedAt: d.finished_at,
  };
}

function recycleEntry(r: RecycleRow): RecycleEntry {
  return {
    id: r.id,
    originalPath: r.original_path,
    storedPath: r.stored_path,
    sha256: r.sha256,
    bytes: r.bytes,
    itemId: r.item_id,
    kind: r.kind,
    reason: r.reason,
    deletedAt: r.deleted_at,
    expiresAt: r.expires_at,
    restoredAt: r.restored_at,
    purgedAt: r.purged_at,
  };
}

function slotView(slot: SlotRow): Slot {
  return {
    itemId: slot.item_id,
    type: slot.asset_type as AssetType,
    rank: slot.rank,
    blobSha: slot.blob_sha,
    candidateId: slot.candidate_id,
    libraryFileId: slot.library_file_id,
    chosenBy: slot.chosen_by,
    locked: slot.locked === 1,
    updatedAt: slot.updated_at,
  };
}
