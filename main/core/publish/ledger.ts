import type { Insertable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { LibraryFilesTable } from '../db/schema.ts';

/*
 * The publish ledger (`library_files`, origin `published`): every file the publisher wrote, with
 * its hash, size and mtime. Changes of many items are written together — one transaction per
 * batch, multi-row statements — because one transaction per file would cost more than the
 * files. Losing a batch to a crash is harmless: the files it described are identical to their
 * choice and the next run adopts them again.
 */

export type NewLedgerRow = Insertable<LibraryFilesTable>;

/** What one item's execution changes in the ledger. */
export interface LedgerChanges {
  itemId: number;
  /** Rows of files that were recycled, displaced or are gone. */
  deletes: number[];
  /** Rows to create or replace, by path. */
  upserts: NewLedgerRow[];
  /**
   * Rows whose file was renamed: the row follows it (same id, so what refers to it still does).
   * Applied after the deletes, which free the new path of the row of what the file replaced.
   */
  moves?: { id: number; row: NewLedgerRow }[];
  /** Set `items.published_at`. */
  touched: boolean;
}

/** Rows per INSERT: 14 columns each stays far below SQLite's parameter limit. */
const ROWS_PER_STATEMENT = 60;
/** Items collected before a flush. */
const ITEMS_PER_FLUSH = 100;

export class LedgerBatch {
  readonly #pending: LedgerChanges[] = [];

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Queues one item's changes; flushes when the batch is full. */
  async add(changes: LedgerChanges): Promise<void> {
    if (
      changes.deletes.length === 0 &&
      changes.upserts.length === 0 &&
      (changes.moves?.length ?? 0) === 0 &&
      !changes.touched
    )
      return;
    this.#pending.push(changes);
    if (this.#pending.length >= ITEMS_PER_FLUSH) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    const deletes = batch.flatMap((c) => c.deletes);
    const upserts = batch.flatMap((c) => c.upserts);
    const moves = batch.flatMap((c) => c.moves ?? []);
    const touched = batch.filter((c) => c.touched).map((c) => c.itemId);
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < deletes.length; i += 500) {
        await trx
          .deleteFrom('library_files')
          .where('id', 'in', deletes.slice(i, i + 500))
          .execute();
      }
      for (const { id, row } of moves) {
        await trx.updateTable('library_files').set(row).where('id', '=', id).execute();
      }
      for (let i = 0; i < upserts.length; i += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('library_files')
          .values(upserts.slice(i, i + ROWS_PER_STATEMENT))
          .onConflict((oc) =>
            oc.column('path').doUpdateSet((eb) => ({
              item_id: eb.ref('excluded.item_id'),
              role: eb.ref('excluded.role'),
              asset_type: eb.ref('excluded.asset_type'),
              rank: eb.ref('excluded.rank'),
              origin: eb.ref('excluded.origin'),
              sha256: eb.ref('excluded.sha256'),
              bytes: eb.ref('excluded.bytes'),
              width: eb.ref('excluded.width'),
              height: eb.ref('excluded.height'),
              mtime: eb.ref('excluded.mtime'),
              published_at: eb.ref('excluded.published_at'),
              seen_at: eb.ref('excluded.seen_at'),
            })),
          )
          .execute();
      }
      for (let i = 0; i < touched.length; i += 500) {
        await trx
          .updateTable('items')
          .set({ published_at: now })
          .where('id', 'in', touched.slice(i, i + 500))
          .execute();
      }
    });
  }
}
