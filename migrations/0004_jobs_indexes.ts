import { sql, type Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  // Every index on `jobs` is paid again on each state change, and finished rows (the history)
  // outnumber live ones, so the queue's indexes hold only the live rows.
  await sql`drop index if exists jobs_pick`.execute(db);
  // Workers claim per kind, best priority first, oldest due first: a short forward scan.
  await sql`create index jobs_claim on jobs (kind, priority desc, run_after) where state = 'queued'`.execute(db);
  // When each periodic duty last ran, asked by the scheduler every minute.
  await sql`create index jobs_duty on jobs (kind, coalesce_key, created_at) where kind in ('scan-library', 'verify', 'gc')`.execute(db);
  // Deleting an item cascades into its jobs; the scheduler looks jobs up by item.
  await db.schema.createIndex('jobs_item').on('jobs').column('item_id').execute();
}
