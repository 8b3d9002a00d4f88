import { sql, type Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
/**
 * The same `jobs` table without `in (…)` lists in its state CHECK and `jobs_duty` condition.
 * SQLite evaluates a constant list of more than two values through a temporary b-tree that it
 * builds anew on every insert and every state change, which was about half of what adding a job
 * cost. A CHECK cannot be altered in place, so the table is rebuilt (copied) in one transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const seq = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'jobs'`.execute(trx);
    await sql`create table jobs_rebuilt (
      id integer primary key autoincrement,
      kind text not null,
      item_id integer references items (id) on delete cascade,
      library_id integer references libraries (id) on delete cascade,
      payload text default '{}' not null,
      coalesce_key text,
      state text not null
        check (state = 'queued' or state = 'running' or state = 'done' or state = 'failed' or state = 'cancelled'),
      priority integer default 0 not null,
      attempts integer default 0 not null,
      max_attempts integer default 5 not null,
      run_after integer not null,
      progress_done integer,
      progress_total integer,
      message text,
      error text,
      created_at integer not null,
      started_at integer,
      finished_at integer
    )`.execute(trx);
    const columns = sql.raw(
      'id, kind, item_id, library_id, payload, coalesce_key, state, priority, attempts, max_attempts, run_after, ' +
        'progress_done, progress_total, message, error, created_at, started_at, finished_at',
    );
    await sql`insert into jobs_rebuilt (${columns}) select ${columns} from jobs`.execute(trx);
    await sql`drop table jobs`.execute(trx);
    await sql`alter table jobs_rebuilt rename to jobs`.execute(trx);
    // AUTOINCREMENT's promise: the ids of pruned jobs never come back.
    const last = seq.rows[0]?.seq;
    if (last !== undefined) {
      const updated = await sql`update sqlite_sequence set seq = max(seq, ${last}) where name = 'jobs'`.execute(trx);
      if (!updated.numAffectedRows) await sql`insert into sqlite_sequence (name, seq) values ('jobs', ${last})`.execute(trx);
    }

    await sql`create unique index jobs_coalesce on jobs (coalesce_key) where state = 'queued'`.execute(trx);
    await sql`create index jobs_claim on jobs (kind, priority desc, run_after) where state = 'queued'`.execute(trx);
    // The periodic duties only. A `case`, because `kind = 'gc' or …` would make SQLite compare
    // every `kind = ?` of the queue's statements with those terms and so re-prepare them on each
    // run; queries must repeat the condition verbatim for SQLite to use the index.
    await sql`create index jobs_duty on jobs (kind, coalesce_key, created_at)
      where case kind when 'scan-library' then 1 when 'verify' then 1 when 'gc' then 1 end`.execute(trx);
    // Jobs by item (the scheduler, and deleting an item cascading into its jobs); jobs about no
    // item have no business in it.
    await sql`create index jobs_item on jobs (item_id) where item_id is not null`.execute(trx);
  });
}
