import { isAssetType, type AssetType } from '../../../shared/asset-types.ts';
import type { Slot, SlotChooser } from '../../../shared/api/artwork.ts';
import type { DbOrTx } from '../db/database.ts';
import type { SlotRow } from '../db/schema.ts';

/*
 * The `slots` table is the one truth of what is chosen for an item: the picker and auto-select
 * write it, the publisher reads it. A slot whose blob_sha is null is chosen but not downloaded
 * yet.
 */

function toSlot(row: SlotRow): Slot | null {
  if (!isAssetType(row.asset_type)) return null;
  return {
    itemId: row.item_id,
    type: row.asset_type,
    rank: row.rank,
    blobSha: row.blob_sha,
    candidateId: row.candidate_id,
    libraryFileId: row.library_file_id,
    chosenBy: row.chosen_by,
    locked: row.locked === 1,
    updatedAt: row.updated_at,
  };
}

/** Every slot of an item (optionally of one type), by type then rank. */
export async function getSlots(db: DbOrTx, itemId: number, type?: AssetType): Promise<Slot[]> {
  let q = db.selectFrom('slots').selectAll().where('item_id', '=', itemId);
  if (type) q = q.where('asset_type', '=', type);
  const rows = await q.orderBy('asset_type').orderBy('rank').execute();
  return rows.map(toSlot).filter((s): s is Slot => s !== null);
}

export async function getSlot(db: DbOrTx, itemId: number, type: AssetType, rank: number): Promise<Slot | null> {
  const row = await db
    .selectFrom('slots')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('asset_type', '=', type)
    .where('rank', '=', rank)
    .executeTakeFirst();
  return row ? toSlot(row) : null;
}

/** What a write puts into a slot. */
export interface SlotWrite {
  itemId: number;
  type: AssetType;
  rank: number;
  candidateId: number | null;
  libraryFileId?: number | null;
  blobSha: string | null;
  chosenBy: SlotChooser;
  locked: boolean;
}

/** Creates or replaces the slot (item, type, rank). */
export async function setSlot(db: DbOrTx, slot: SlotWrite, now: number): Promise<void> {
  const values = {
    blob_sha: slot.blobSha,
    candidate_id: slot.candidateId,
    library_file_id: slot.libraryFileId ?? null,
    chosen_by: slot.chosenBy,
    locked: slot.locked ? (1 as const) : (0 as const),
    updated_at: now,
  };
  await db
    .insertInto('slots')
    .values({ item_id: slot.itemId, asset_type: slot.type, rank: slot.rank, ...values })
    .onConflict((oc) => oc.columns(['item_id', 'asset_type', 'rank']).doUpdateSet(values))
    .execute();
}

/** Empties a slot (the row goes; the cache keeps the image until GC decides). */
export async function clearSlot(db: DbOrTx, itemId: number, type: AssetType, rank: number): Promise<void> {
  await db
    .deleteFrom('slots')
    .where('item_id', '=', itemId)
    .where('asset_type', '=', type)
    .where('rank', '=', rank)
    .execute();
}

/** Sets the lock of one rank, or of every existing rank of the type; returns how many slots changed. */
export async function setSlotLock(
  db: DbOrTx,
  itemId: number,
  type: AssetType,
  rank: number | undefined,
  locked: boolean,
  now: number,
): Promise<number> {
  let q = db
    .updateTable('slots')
    .set({ locked: locked ? 1 : 0, updated_at: now })
    .where('item_id', '=', itemId)
    .where('asset_type', '=', type)
    .where('locked', '=', locked ? 0 : 1);
  if (rank !== undefined) q = q.where('rank', '=', rank);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export const lockSlot = (db: DbOrTx, itemId: number, type: AssetType, rank: number | undefined, now: number) =>
  setSlotLock(db, itemId, type, rank, true, now);

export const unlockSlot = (db: DbOrTx, itemId: number, type: AssetType, rank: number | undefined, now: number) =>
  setSlotLock(db, itemId, type, rank, false, now);

/**
 * Records a finished download on the slot, only while the slot still holds that candidate (the
 * user may have chosen another while it downloaded).
 */
export async function setSlotBlob(
  db: DbOrTx,
  itemId: number,
  type: AssetType,
  rank: number,
  candidateId: number,
  sha: string,
): Promise<boolean> {
  const result = await db
    .updateTable('slots')
    .set({ blob_sha: sha })
    .where('item_id', '=', itemId)
    .where('asset_type', '=', type)
    .where('rank', '=', rank)
    .where('candidate_id', '=', candidateId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
