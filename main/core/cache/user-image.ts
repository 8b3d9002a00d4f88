import { ApiError } from '../../../shared/api/errors.ts';
import { ASSET_TYPE_SPECS, type AssetType } from '../../../shared/asset-types.ts';
import type { BlobRow, SlotRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import type { Ingest } from './ingest.ts';

export interface UserImageRequest {
  itemId: number;
  type: AssetType;
  /** Absolute path of the image to import. */
  file: string;
  rank?: number;
}

/**
 * A user's own image becomes the chosen image of a slot: validated like any download, stored
 * in the cache, and the slot is set `chosen_by: 'user'` and locked, so automation never
 * replaces it. (The slot row is written here directly; the select domain owns the rest of slots.)
 */
export async function importUserImage(
  s: Services,
  ingest: Ingest,
  req: UserImageRequest,
): Promise<{ blob: BlobRow; slot: SlotRow }> {
  const item = await s.db.selectFrom('items').select('id').where('id', '=', req.itemId).executeTakeFirst();
  if (!item) throw new ApiError('not_found', `No item ${req.itemId}`, 'itemId');
  const rank = req.rank ?? 0;
  const max = ASSET_TYPE_SPECS[req.type].maxCount;
  if (rank >= max) throw new ApiError('bad_request', `rank must be below ${max} for ${req.type}`, 'rank');
  const blob = await ingest.ingestFile(req.file, { provider: 'upload' });
  const now = s.clock.now();
  const slot = await s.db
    .insertInto('slots')
    .values({
      item_id: req.itemId,
      asset_type: req.type,
      rank,
      blob_sha: blob.sha256,
      candidate_id: null,
      library_file_id: null,
      chosen_by: 'user',
      locked: 1,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['item_id', 'asset_type', 'rank']).doUpdateSet({
        blob_sha: blob.sha256,
        candidate_id: null,
        library_file_id: null,
        chosen_by: 'user',
        locked: 1,
        updated_at: now,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  s.events.emit({ type: 'items-changed', itemIds: [req.itemId] });
  return { blob, slot };
}
