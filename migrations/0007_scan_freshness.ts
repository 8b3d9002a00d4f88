import { sql, type Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
/**
 * Three things a rescan must not forget:
 * - `items.enrich_error`: enriching wrote its outcome into `items.error`, wiping the scanner's
 *   problems (a broken NFO, an empty video) that only a rescan may clear. Each now has its own.
 * - `scan_folders.files`: the NFOs and pictures read in the folder (relative paths). Their sizes
 *   and times join the folder's signature, because a file rewritten in place leaves the folder's
 *   own mtime alone.
 * - `scan_folders.problems`: what the listing itself reported (a name that is not UTF-8, a broken
 *   link), said again on every rescan that skips the unchanged folder, until it is fixed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.schema.alterTable('items').addColumn('enrich_error', 'text').execute();
    await trx.schema
      .alterTable('scan_folders')
      .addColumn('files', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await trx.schema
      .alterTable('scan_folders')
      .addColumn('problems', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    // Which writer left an existing error is unknown: it becomes the enrich error (the next
    // enrich rewrites it), and the item's folder is read again by the next scan, which restores
    // the scanner's own. Every other folder is read again once too, to learn its files.
    await sql`update items set enrich_error = error, error = null where error is not null`.execute(trx);
    await sql`update scan_folders set signature = ''`.execute(trx);
  });
}
