import type BetterSqlite3 from 'better-sqlite3';
import type { Db, DbOrTx } from '../db/database.ts';
import type { BlobRow, DownloadRow } from '../db/schema.ts';
import type { CacheArea } from './layout.ts';

/** What the cache records about one stored image. */
export interface NewBlob {
  sha256: string;
  ext: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  phash: string;
  area: CacheArea;
}

export async function getBlob(db: DbOrTx, sha: string): Promise<BlobRow | undefined> {
  return db.selectFrom('blobs').selectAll().where('sha256', '=', sha).executeTakeFirst();
}

/**
 * Records a blob as available with one more provenance. Re-storing known bytes revives a
 * quarantined or recycled row and restarts its lease (unreferenced_since cleared), so a blob
 * someone just asked for is never collected before they can point a slot at it.
 */
export async function upsertAvailableBlob(
  db: DbOrTx,
  blob: NewBlob,
  source: { provider: string; source: string },
  now: number,
): Promise<BlobRow> {
  const row = await db
    .insertInto('blobs')
    .values({ ...blob, state: 'available', created_at: now, verified_at: now, unreferenced_since: null })
    .onConflict((oc) =>
      oc.column('sha256').doUpdateSet({
        ext: blob.ext,
        mime: blob.mime,
        width: blob.width,
        height: blob.height,
        bytes: blob.bytes,
        phash: blob.phash,
        area: blob.area,
        state: 'available',
        verified_at: now,
        unreferenced_since: null,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  await addSource(db, blob.sha256, source, now);
  return row;
}

/** One more provenance for stored bytes (the same image from another provider or URL). */
export async function addSource(db: DbOrTx, sha: string, source: { provider: string; source: string }, now: number): Promise<void> {
  await db
    .insertInto('blob_sources')
    .values({ sha256: sha, provider: source.provider, source: source.source, added_at: now })
    .onConflict((oc) => oc.columns(['sha256', 'source']).doNothing())
    .execute();
}

/** Restarts a blob's lease: it was just handed to a caller who is about to reference it. */
export async function touchBlob(db: DbOrTx, sha: string): Promise<void> {
  await db.updateTable('blobs').set({ unreferenced_since: null }).where('sha256', '=', sha).execute();
}

export async function getDownload(db: DbOrTx, url: string, area: CacheArea): Promise<DownloadRow | undefined> {
  return db.selectFrom('downloads').selectAll().where('url', '=', url).where('area', '=', area).executeTakeFirst();
}

/** Marks a download PENDING (one more attempt), creating its row when new. */
export async function markPending(
  db: DbOrTx,
  d: { url: string; area: CacheArea; provider: string; candidateId: number | null },
  now: number,
): Promise<void> {
  const candidateId = d.candidateId === null ? null : await existingCandidate(db, d.candidateId);
  await db
    .insertInto('downloads')
    .values({
      url: d.url,
      area: d.area,
      provider: d.provider,
      candidate_id: candidateId,
      state: 'pending',
      attempts: 1,
      error: null,
      blob_sha: null,
      requested_at: now,
      finished_at: null,
    })
    .onConflict((oc) =>
      oc.columns(['url', 'area']).doUpdateSet((eb) => ({
        state: 'pending',
        attempts: eb(eb.ref('downloads.attempts'), '+', 1),
        error: null,
        provider: d.provider,
        candidate_id: candidateId ?? eb.ref('downloads.candidate_id'),
        requested_at: now,
        finished_at: null,
      })),
    )
    .execute();
}

export async function markDownloadDone(
  db: DbOrTx,
  url: string,
  area: CacheArea,
  outcome: { sha: string } | { error: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('downloads')
    .set(
      'sha' in outcome
        ? { state: 'available', blob_sha: outcome.sha, error: null, finished_at: now }
        : { state: 'failed', error: outcome.error, finished_at: now },
    )
    .where('url', '=', url)
    .where('area', '=', area)
    .execute();
}

/** Notes the outcome on the candidate the image belongs to (the UI shows the reason beside it). */
export async function noteOnCandidate(
  db: DbOrTx,
  candidateId: number,
  area: CacheArea,
  outcome: { sha: string } | { error: string },
): Promise<void> {
  const set =
    area === 'assets'
      ? 'sha' in outcome
        ? { blob_sha: outcome.sha, download_error: null }
        : { download_error: outcome.error }
      : 'sha' in outcome
        ? { preview_sha: outcome.sha, hash_error: null }
        : { hash_error: outcome.error };
  await db.updateTable('candidates').set(set).where('id', '=', candidateId).execute();
}

async function existingCandidate(db: DbOrTx, id: number): Promise<number | null> {
  const row = await db.selectFrom('candidates').select('id').where('id', '=', id).executeTakeFirst();
  return row?.id ?? null;
}

type Outcome = { sha: string } | { error: string };

/**
 * The statements an ingest runs, prepared once on the raw SQLite handle: the same reads and
 * writes as the kysely functions above (`getDownload`, `markPending`, `upsertAvailableBlob`…)
 * at a fraction of the cost, for the path every downloaded image takes. Each method is
 * synchronous and must run inside `exclusive` or `transaction`, which hold kysely's one
 * connection: a statement can then never land inside a transaction another caller has open.
 */
export class IngestRecords {
  readonly #db: Db;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: Db, sqlite: BetterSqlite3.Database) {
    this.#db = db;
    this.#sqlite = sqlite;
    this.#s = prepare(sqlite);
  }

  /** Runs `work` (synchronous statements) holding the connection. */
  exclusive<T>(work: () => T): Promise<T> {
    // kysely hands its one connection to a single user at a time (a transaction keeps it until it ends).
    return this.#db.getExecutor().provideConnection(async () => work());
  }

  /** Runs `work` in one transaction, holding the connection. */
  transaction<T>(work: () => T): Promise<T> {
    const tx = this.#sqlite.transaction(work);
    return this.exclusive(() => tx());
  }

  getDownload(url: string, area: CacheArea): DownloadRow | undefined {
    return this.#s.getDownload.get(url, area) as DownloadRow | undefined;
  }

  getBlob(sha: string): BlobRow | undefined {
    return this.#s.getBlob.get(sha) as BlobRow | undefined;
  }

  touchBlob(sha: string): void {
    this.#s.touchBlob.run(sha);
  }

  markPending(d: { url: string; area: CacheArea; provider: string; candidateId: number | null }, now: number): void {
    const candidateId = d.candidateId === null ? null : ((this.#s.candidate.get(d.candidateId) as { id: number } | undefined)?.id ?? null);
    this.#s.markPending.run({ url: d.url, area: d.area, provider: d.provider, candidateId, now });
  }

  upsertAvailableBlob(blob: NewBlob, source: { provider: string; source: string }, now: number): BlobRow {
    const row = this.#s.upsertBlob.get({ ...blob, now }) as BlobRow;
    this.addSource(blob.sha256, source, now);
    return row;
  }

  addSource(sha: string, source: { provider: string; source: string }, now: number): void {
    this.#s.addSource.run(sha, source.provider, source.source, now);
  }

  markDownloadDone(url: string, area: CacheArea, outcome: Outcome, now: number): void {
    if ('sha' in outcome) this.#s.downloadAvailable.run(outcome.sha, now, url, area);
    else this.#s.downloadFailed.run(outcome.error, now, url, area);
  }

  noteOnCandidate(candidateId: number, area: CacheArea, outcome: Outcome): void {
    const s = this.#s.candidateOutcome[area];
    if ('sha' in outcome) s.sha.run(outcome.sha, candidateId);
    else s.error.run(outcome.error, candidateId);
  }
}

/** The SQL of the kysely functions above, word for word in effect. */
function prepare(sqlite: BetterSqlite3.Database) {
  return {
    getDownload: sqlite.prepare('select * from downloads where url = ? and area = ?'),
    getBlob: sqlite.prepare('select * from blobs where sha256 = ?'),
    touchBlob: sqlite.prepare('update blobs set unreferenced_since = null where sha256 = ?'),
    candidate: sqlite.prepare('select id from candidates where id = ?'),
    markPending: sqlite.prepare(
      `insert into downloads (url, area, provider, candidate_id, state, attempts, error, blob_sha, requested_at, finished_at)
       values (@url, @area, @provider, @candidateId, 'pending', 1, null, null, @now, null)
       on conflict (url, area) do update set
         state = 'pending', attempts = downloads.attempts + 1, error = null, provider = excluded.provider,
         candidate_id = coalesce(excluded.candidate_id, downloads.candidate_id), requested_at = excluded.requested_at,
         finished_at = null`,
    ),
    upsertBlob: sqlite.prepare(
      `insert into blobs (sha256, ext, mime, width, height, bytes, phash, area, state, created_at, verified_at, unreferenced_since)
       values (@sha256, @ext, @mime, @width, @height, @bytes, @phash, @area, 'available', @now, @now, null)
       on conflict (sha256) do update set
         ext = excluded.ext, mime = excluded.mime, width = excluded.width, height = excluded.height,
         bytes = excluded.bytes, phash = excluded.phash, area = excluded.area, state = 'available',
         verified_at = excluded.verified_at, unreferenced_since = null
       returning *`,
    ),
    addSource: sqlite.prepare(
      'insert into blob_sources (sha256, provider, source, added_at) values (?, ?, ?, ?) on conflict (sha256, source) do nothing',
    ),
    downloadAvailable: sqlite.prepare(
      "update downloads set state = 'available', blob_sha = ?, error = null, finished_at = ? where url = ? and area = ?",
    ),
    downloadFailed: sqlite.prepare("update downloads set state = 'failed', error = ?, finished_at = ? where url = ? and area = ?"),
    candidateOutcome: {
      assets: {
        sha: sqlite.prepare('update candidates set blob_sha = ?, download_error = null where id = ?'),
        error: sqlite.prepare('update candidates set download_error = ? where id = ?'),
      },
      previews: {
        sha: sqlite.prepare('update candidates set preview_sha = ?, hash_error = null where id = ?'),
        error: sqlite.prepare('update candidates set hash_error = ? where id = ?'),
      },
    },
  };
}
