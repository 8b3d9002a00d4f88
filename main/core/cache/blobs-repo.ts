import type BetterSqlite3 from 'better-sqlite3';
import type { Db, DbOrTx } from '../db/database.ts';
import { immediateTransaction } from '../db/write-lock.ts';
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
  /** The mtime of the file just committed: its bytes are proven, so publishing need not hash it. */
  fileMtime: number;
}

export async function getBlob(db: DbOrTx, sha: string): Promise<BlobRow | undefined> {
  return db.selectFrom('blobs').selectAll().where('sha256', '=', sha).executeTakeFirst();
}

type Outcome = { sha: string } | { error: string };

/**
 * The statements an ingest runs, prepared once on the raw SQLite handle: on the path every
 * downloaded image takes, building queries with kysely cost more than running them. Each method
 * is synchronous and must run inside `exclusive` or `transaction`, which hold kysely's one
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
    return this.exclusive(() => immediateTransaction(this.#sqlite, work));
  }

  getDownload(url: string, area: CacheArea): DownloadRow | undefined {
    return this.#s.getDownload.get(url, area) as DownloadRow | undefined;
  }

  getBlob(sha: string): BlobRow | undefined {
    return this.#s.getBlob.get(sha) as BlobRow | undefined;
  }

  /** Restarts a blob's lease: it was just handed to a caller who is about to reference it. */
  touchBlob(sha: string): void {
    this.#s.touchBlob.run(sha);
  }

  /** Marks a download PENDING (one more attempt), creating its row when new. */
  markPending(d: { url: string; area: CacheArea; provider: string; candidateId: number | null }, now: number): void {
    const candidateId =
      d.candidateId === null
        ? null
        : ((this.#s.candidate.get(d.candidateId) as { id: number } | undefined)?.id ?? null);
    this.#s.markPending.run({ url: d.url, area: d.area, provider: d.provider, candidateId, now });
  }

  /**
   * Records a blob as available with one more provenance. Re-storing known bytes revives a
   * quarantined or recycled row and restarts its lease (unreferenced_since cleared), so a blob
   * someone just asked for is never collected before they can point a slot at it.
   */
  upsertAvailableBlob(blob: NewBlob, source: { provider: string; source: string }, now: number): BlobRow {
    const row = this.#s.upsertBlob.get({ ...blob, now }) as BlobRow;
    this.addSource(blob.sha256, source, now);
    return row;
  }

  /** One more provenance for stored bytes (the same image from another provider or URL). */
  addSource(sha: string, source: { provider: string; source: string }, now: number): void {
    this.#s.addSource.run(sha, source.provider, source.source, now);
  }

  markDownloadDone(url: string, area: CacheArea, outcome: Outcome, now: number): void {
    if ('sha' in outcome) this.#s.downloadAvailable.run(outcome.sha, now, url, area);
    else this.#s.downloadFailed.run(outcome.error, now, url, area);
  }

  /** Notes the outcome on the candidate the image belongs to (the UI shows the reason beside it). */
  noteOnCandidate(candidateId: number, area: CacheArea, outcome: Outcome): void {
    const s = this.#s.candidateOutcome[area];
    if ('sha' in outcome) s.sha.run(outcome.sha, candidateId);
    else s.error.run(outcome.error, candidateId);
  }
}

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
      `insert into blobs (sha256, ext, mime, width, height, bytes, phash, area, state, created_at, verified_at, unreferenced_since, file_mtime)
       values (@sha256, @ext, @mime, @width, @height, @bytes, @phash, @area, 'available', @now, @now, null, @fileMtime)
       on conflict (sha256) do update set
         ext = excluded.ext, mime = excluded.mime, width = excluded.width, height = excluded.height,
         bytes = excluded.bytes, phash = excluded.phash, area = excluded.area, state = 'available',
         verified_at = excluded.verified_at, unreferenced_since = null, file_mtime = excluded.file_mtime
       returning *`,
    ),
    addSource: sqlite.prepare(
      'insert into blob_sources (sha256, provider, source, added_at) values (?, ?, ?, ?) on conflict (sha256, source) do nothing',
    ),
    downloadAvailable: sqlite.prepare(
      "update downloads set state = 'available', blob_sha = ?, error = null, finished_at = ? where url = ? and area = ?",
    ),
    downloadFailed: sqlite.prepare(
      "update downloads set state = 'failed', error = ?, finished_at = ? where url = ? and area = ?",
    ),
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
