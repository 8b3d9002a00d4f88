import { sql, type Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  // No query looks items up by video path, and titles are only matched with `like '%…%'` and
  // sorted `collate nocase`, which a binary index cannot serve. Every insert still paid for
  // both, and a first scan inserts thousands of items.
  await sql`drop index if exists items_video`.execute(db);
  await sql`drop index if exists items_title`.execute(db);
}
