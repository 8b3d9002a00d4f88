import { sql, type Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
/**
 * Finished jobs by outcome and target, for the failures that still matter: a failed job counts
 * (and is retried) only while no later job with the same key has succeeded. Both the failed
 * rows and the later successes are found by a short range scan here instead of reading the
 * whole history.
 *
 * Only finished rows are in it: a job enters once, when it finishes, and never changes after, so
 * the queue's own writes (queued → running → retry) leave this index alone. Its condition names
 * no state, so no queue statement that compares `state` is re-prepared on account of it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index jobs_outcome on jobs (state, coalesce_key, finished_at) where finished_at is not null`.execute(
    db,
  );
}
