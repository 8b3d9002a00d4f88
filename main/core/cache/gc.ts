import { stat } from 'node:fs/promises';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { DbOrTx } from '../db/database.ts';
import type { Services } from '../services.ts';
import { removeQuietly } from './files.ts';
import { blobPath, thumbPath } from './layout.ts';
import { listQuarantine, purgeQuarantined } from './quarantine.ts';
import type { RecycleBin } from './recycle.ts';
import { shaOfEntry, walkShards } from './shards.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface GcReport {
  dryRun: boolean;
  /** Blobs something points at. */
  referenced: number;
  /** Blobs found unreferenced for the first time this run (their grace period starts now). */
  newlyUnreferenced: number;
  /** Unreferenced blobs still within their grace period. */
  waiting: number;
  /** Blobs moved to the recycle bin (or that would be, in a dry run). */
  recycled: { sha256: string; bytes: number; unreferencedSince: number }[];
  /** Recycle bin entries purged after their retention (or that would be). */
  purged: number;
  purgedBytes: number;
  quarantine: QuarantineGc;
  /** Thumbnails nothing shows any more (the original they were made from is gone), deleted. */
  orphanThumbnails: { files: number; bytes: number };
}

export interface QuarantineGc {
  /** Quarantined files past `recycle.retentionDays`, deleted (or that would be). */
  purged: { sha256: string; bytes: number; quarantinedAt: number }[];
  purgedBytes: number;
  /** Quarantined files still kept for inspection. */
  kept: number;
  keptBytes: number;
  /** Quarantined blobs (unrecoverable) nothing references any more, past the grace period: rows dropped. */
  forgotten: string[];
}

/**
 * True when something holds a lease on the blob: a slot, a library file, a live candidate (its
 * full image or preview), or a recycled library file whose bytes these are.
 */
export function isReferenced(sha: Expression<string>): Expression<SqlBool> {
  return sql<SqlBool>`(
    exists (select 1 from slots where slots.blob_sha = ${sha})
    or exists (select 1 from library_files where library_files.sha256 = ${sha})
    or exists (select 1 from candidates where candidates.blob_sha = ${sha} and candidates.gone_at is null)
    or exists (select 1 from candidates where candidates.preview_sha = ${sha} and candidates.gone_at is null)
    or exists (select 1 from recycle where recycle.sha256 = ${sha} and recycle.kind = 'library-file'
               and recycle.restored_at is null and recycle.purged_at is null)
  )`;
}

const blobSha = sql.ref<string>('blobs.sha256');

/**
 * Garbage collection with leases. A blob nothing references gets `unreferenced_since`; once it
 * has stayed unreferenced for `cache.gcGraceDays` it moves to the recycle bin (kind 'blob'), and
 * recycle entries past `recycle.retentionDays` are purged. A blob that is referenced at the
 * moment of collection is never touched: the check is repeated inside the transaction that
 * recycles it.
 */
export async function collectGarbage(s: Services, bin: RecycleBin, options: { dryRun: boolean }): Promise<GcReport> {
  const now = s.clock.now();
  const cutoff = now - s.settings.get('cache.gcGraceDays') * DAY_MS;
  const count = async (where: (db: DbOrTx) => Promise<{ n: number | string | bigint }>) =>
    Number((await where(s.db)).n);

  const referenced = await count((db) =>
    db
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'available')
      .where(isReferenced(blobSha))
      .executeTakeFirstOrThrow(),
  );
  const unreferenced = await count((db) =>
    db
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'available')
      .where(sql<SqlBool>`not ${isReferenced(blobSha)}`)
      .executeTakeFirstOrThrow(),
  );
  const unmarked = await count((db) =>
    db
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'available')
      .where('unreferenced_since', 'is', null)
      .where(sql<SqlBool>`not ${isReferenced(blobSha)}`)
      .executeTakeFirstOrThrow(),
  );

  if (!options.dryRun) {
    await s.db.transaction().execute(async (trx) => {
      // Referenced again: the lease is back, the clock stops.
      await trx
        .updateTable('blobs')
        .set({ unreferenced_since: null })
        .where('unreferenced_since', 'is not', null)
        .where(isReferenced(blobSha))
        .execute();
      // Quarantined blobs age too: one nothing uses is eventually forgotten (see collectQuarantine).
      await trx
        .updateTable('blobs')
        .set({ unreferenced_since: now })
        .where('state', 'in', ['available', 'quarantined'])
        .where('unreferenced_since', 'is', null)
        .where(sql<SqlBool>`not ${isReferenced(blobSha)}`)
        .execute();
    });
  }

  // In a dry run the blobs not yet marked would be marked now, so they count as "since now".
  const expired = await s.db
    .selectFrom('blobs')
    .select(['sha256', 'ext', 'area', 'bytes', 'unreferenced_since'])
    .where('state', '=', 'available')
    .where((eb) =>
      eb.or([
        eb('unreferenced_since', '<=', cutoff),
        ...(options.dryRun && now <= cutoff ? [eb('unreferenced_since', 'is', null)] : []),
      ]),
    )
    .where(sql<SqlBool>`not ${isReferenced(blobSha)}`)
    .orderBy('unreferenced_since')
    .execute();

  const recycled: GcReport['recycled'] = [];
  const log = s.log.child('cache');
  for (const blob of expired) {
    const since = blob.unreferenced_since ?? now;
    if (options.dryRun) {
      recycled.push({ sha256: blob.sha256, bytes: blob.bytes, unreferencedSince: since });
      continue;
    }
    const moved = await s.db.transaction().execute(async (trx) => {
      // The decisive check, in the same transaction as the move: a reference added since the
      // query above (or a fresh lease from an ingest) keeps the blob.
      const still = await trx
        .selectFrom('blobs')
        .select('sha256')
        .where('sha256', '=', blob.sha256)
        .where('state', '=', 'available')
        .where('unreferenced_since', '<=', cutoff)
        .where(sql<SqlBool>`not ${isReferenced(blobSha)}`)
        .executeTakeFirst();
      if (!still) return false;
      const file = blobPath(s.paths, blob.area, blob.sha256, blob.ext);
      const days = Math.floor((now - since) / DAY_MS);
      try {
        await bin.put(file, { kind: 'blob', reason: `unreferenced for ${days} day${days === 1 ? '' : 's'}` }, trx);
      } catch (err) {
        if ((err as { code?: string }).code !== 'not_found') throw err;
        log.warn('A collected blob had no file; verify will report it', { sha256: blob.sha256 });
      }
      await trx.updateTable('blobs').set({ state: 'recycled' }).where('sha256', '=', blob.sha256).execute();
      return true;
    });
    if (!moved) continue;
    // Thumbnails are derived data, made again if the blob ever comes back.
    await removeQuietly(thumbPath(s.paths, blob.sha256, 'thumb'));
    recycled.push({ sha256: blob.sha256, bytes: blob.bytes, unreferencedSince: since });
  }

  const purge = await bin.purge({ expiredOnly: true, dryRun: options.dryRun });
  const quarantine = await collectQuarantine(s, cutoff, options.dryRun);
  const orphanThumbnails = await collectOrphanThumbnails(s, options.dryRun);
  if (recycled.length > 0 || purge.purged > 0 || quarantine.purged.length > 0 || quarantine.forgotten.length > 0) {
    log.info('Cache garbage collected', {
      recycled: recycled.length,
      purged: purge.purged,
      quarantinePurged: quarantine.purged.length,
      quarantineForgotten: quarantine.forgotten.length,
      orphanThumbnails: orphanThumbnails.files,
      dryRun: options.dryRun,
    });
  }
  return {
    dryRun: options.dryRun,
    referenced,
    newlyUnreferenced: unmarked,
    waiting: unreferenced - recycled.length,
    recycled,
    purged: purge.purged,
    purgedBytes: purge.bytes,
    quarantine,
    orphanThumbnails,
  };
}

/**
 * A thumbnail goes with its blob when the blob is collected, but the UI also makes thumbnails of
 * the user's originals in the library (see originals.ts), which the cache never holds. Once no
 * available blob and no recorded original has its hash, nothing can ask for it: it is derived
 * data, deleted rather than recycled.
 */
async function collectOrphanThumbnails(s: Services, dryRun: boolean): Promise<GcReport['orphanThumbnails']> {
  const found = new Map<string, string>();
  for await (const e of walkShards(s.paths.thumbs)) {
    const sha = e.isFile ? shaOfEntry('thumbs', e) : null;
    if (sha) found.set(sha, e.abs);
  }
  const shas = [...found.keys()];
  const shown = new Set<string>();
  for (let i = 0; i < shas.length; i += 500) {
    const chunk = shas.slice(i, i + 500);
    const [blobs, originals] = await Promise.all([
      s.db.selectFrom('blobs').select('sha256').where('state', '=', 'available').where('sha256', 'in', chunk).execute(),
      s.db
        .selectFrom('library_files')
        .select('sha256')
        .where('origin', '=', 'original')
        .where('sha256', 'in', chunk)
        .execute(),
    ]);
    for (const r of [...blobs, ...originals]) if (r.sha256) shown.add(r.sha256);
  }
  const report = { files: 0, bytes: 0 };
  for (const [sha, file] of found) {
    if (shown.has(sha)) continue;
    const info = await stat(file).catch(() => null);
    if (!info) continue;
    if (!dryRun) await removeQuietly(file);
    report.files++;
    report.bytes += info.size;
  }
  return report;
}

/**
 * The quarantine: a file there is the damaged copy verify moved aside, kept for inspection as
 * long as a recycled file would be, then deleted. A quarantined blob row (one verify could not
 * repair) stays while anything references it, so a later `verify --repair` can still recover it;
 * once nothing has for the grace period it is dropped with its provenance. Available blobs are
 * not looked at: their files never live in the quarantine.
 */
async function collectQuarantine(s: Services, graceCutoff: number, dryRun: boolean): Promise<QuarantineGc> {
  const now = s.clock.now();
  const retentionCutoff = now - s.settings.get('recycle.retentionDays') * DAY_MS;
  const report: QuarantineGc = { purged: [], purgedBytes: 0, kept: 0, keptBytes: 0, forgotten: [] };
  for (const f of await listQuarantine(s.paths)) {
    if (f.quarantinedAt > retentionCutoff) {
      report.kept++;
      report.keptBytes += f.bytes;
      continue;
    }
    if (!dryRun) await purgeQuarantined(f.file);
    report.purged.push({ sha256: f.sha256, bytes: f.bytes, quarantinedAt: f.quarantinedAt });
    report.purgedBytes += f.bytes;
  }

  const stale = (db: DbOrTx) =>
    db
      .selectFrom('blobs')
      .select('sha256')
      .where('state', '=', 'quarantined')
      .where((eb) =>
        eb.or([
          eb('unreferenced_since', '<=', graceCutoff),
          ...(dryRun && now <= graceCutoff ? [eb('unreferenced_since', 'is', null)] : []),
        ]),
      )
      .where(sql<SqlBool>`not ${isReferenced(blobSha)}`)
      .orderBy('sha256');
  if (dryRun) {
    report.forgotten = (await stale(s.db).execute()).map((r) => r.sha256);
    return report;
  }
  // Decided and deleted in one transaction: a reference added meanwhile keeps the row.
  report.forgotten = await s.db.transaction().execute(async (trx) => {
    const rows = (await stale(trx).execute()).map((r) => r.sha256);
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .deleteFrom('blobs')
        .where('sha256', 'in', rows.slice(i, i + 500))
        .where('state', '=', 'quarantined')
        .execute();
    }
    return rows;
  });
  return report;
}
