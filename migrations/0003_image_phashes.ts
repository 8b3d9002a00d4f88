import type { Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
/**
 * Perceptual hashes of the user's own image files (originals found in the library), keyed by
 * content so a rescan, a rename or a move never forces a second decode. A failed hash is kept
 * with its error so a broken file is not decoded again and again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('image_phashes')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('phash', 'text')
    .addColumn('error', 'text')
    .addColumn('computed_at', 'integer', (c) => c.notNull())
    .execute();
}
