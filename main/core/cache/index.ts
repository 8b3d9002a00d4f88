import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { CallOptions } from '../../../shared/api/index.ts';
import type { BlobRow, RecycleRow, SlotRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { getBlob, IngestRecords } from './blobs-repo.ts';
import { cleanStaleTemps, commitTemp, exists, writeTemp } from './files.ts';
import { thumbnailOf } from './gate.ts';
import { collectGarbage, type GcReport } from './gc.ts';
import { Ingest, type IngestFileOptions, type IngestUrlOptions } from './ingest.ts';
import { blobPath, thumbPath, THUMB_SELF_MAX_WIDTH, type ThumbSize } from './layout.ts';
import { intactBlob, type IntactBlob } from './intact.ts';
import { OriginalImages, protectOriginals, type ProtectReport } from './originals.ts';
import { WorkPool } from './pool.ts';
import { RecycleBin, type PurgeReport, type RecyclePutOptions } from './recycle.ts';
import { importUserImage, type UserImageRequest } from './user-image.ts';
import { verifyCache, type VerifyReport } from './verify.ts';

export type { GcReport, IngestFileOptions, IngestUrlOptions, PurgeReport, RecyclePutOptions, ThumbSize, VerifyReport };

export interface ResumeReport {
  resumed: number;
  available: number;
  failed: number;
  /** Temp files of dead processes removed. */
  tempFilesRemoved: number;
}

/**
 * The content-addressed cache (tier 2): every chosen image kept locally, once, validated, with
 * its provenance. Files live at `<data>/cache/<assets|previews>/ab/c1/<sha256>.<ext>`;
 * every available blob is a whole image that decodes.
 */
export interface CacheDomain {
  /**
   * Downloads an image (through the providers' HTTP client, budget 'images') into the cache and
   * returns its blob; a URL already stored returns at once. Records the download PENDING →
   * AVAILABLE | FAILED and, with `candidateId`, the outcome on the candidate (blob_sha or
   * preview_sha, or the error). Throws ApiError: provider_error (HTTP error, or bytes refused by
   * the validation gate, with the reason), io_error (disk full, read-only), cancelled.
   */
  ingestUrl(url: string, options: IngestUrlOptions): Promise<BlobRow>;
  /** Copies a local image into the cache after the same validation. Throws bad_request with the reason, not_found. */
  ingestFile(absPath: string, options: IngestFileOptions): Promise<BlobRow>;
  /** Absolute path of an available blob's file; null when unknown, not available or missing. */
  pathOf(sha: string): Promise<string | null>;
  /**
   * The blob's file for publishing from it: re-hashed first when its size or mtime changed since
   * its bytes were last proven (an edit through a hard link), and then repaired as `cache verify
   * --repair` would, or refused with the reason.
   */
  intactBlob(sha: string): Promise<IntactBlob>;
  /**
   * A file to show for a blob: `full` is the blob itself; `thumb` a ≈342 px WebP made once per
   * blob (a blob that small is its own thumbnail). A hash the cache lacks may be an original the
   * scan found in the library: that file, or a thumbnail made from it. Null when neither has it.
   */
  thumbnailPath(sha: string, size: ThumbSize): Promise<string | null>;
  /**
   * Copies the user's originals that are these items' current images into the cache (validated),
   * so a rebuild can bring them back after the library lost them.
   */
  protectOriginals(itemIds: readonly number[], options?: CallOptions): Promise<ProtectReport>;
  recycle: {
    /** Moves a file into the recycle bin (never deletes). Throws not_found, io_error. */
    put(absPath: string, options: RecyclePutOptions): Promise<RecycleRow>;
    /** Back to where it was; conflict when a different file is there now. */
    restore(id: number): Promise<RecycleRow>;
    list(options?: { includeRestored?: boolean; includePurged?: boolean }): Promise<RecycleRow[]>;
    purge(options: { expiredOnly: boolean }): Promise<PurgeReport>;
  };
  /** Re-drives downloads left PENDING by a previous run (crash, kill) and removes dead temp files. */
  resumePending(options?: CallOptions): Promise<ResumeReport>;
  /** A user's image as the locked, user-chosen image of a slot. */
  importUserImage(req: UserImageRequest): Promise<{ blob: BlobRow; slot: SlotRow }>;
  verify(options: { repair: boolean } & CallOptions): Promise<VerifyReport>;
  gc(options: { dryRun: boolean }): Promise<GcReport>;
  /** The decode pool (size = `cache.decodeWorkers`, 0 = one per core). */
  readonly pool: WorkPool;
  close(): Promise<void>;
}

export function createCacheDomain(s: Services): CacheDomain {
  // libvips' operation cache never hits here (every input is a new buffer) and costs 5–8% of a
  // gate's CPU to fill, plus up to 50 MB held; process-wide, as sharp's setting is.
  sharp.cache(false);
  const pool = new WorkPool(s.settings.get('cache.decodeWorkers'));
  const unsubscribe = s.events.on((e) => {
    if (e.type === 'settings-changed' && e.keys.includes('cache.decodeWorkers')) {
      pool.resize(s.settings.get('cache.decodeWorkers'));
    }
  });
  const ingest = new Ingest(s, pool);
  const bin = new RecycleBin(s);
  const making = new Map<string, Promise<string | null>>();

  const pathOf = async (sha: string): Promise<string | null> => {
    const blob = await getBlob(s.db, sha);
    if (!blob || blob.state !== 'available') return null;
    const file = blobPath(s.paths, blob.area, sha, blob.ext);
    return (await exists(file)) ? file : null;
  };

  const records = new IngestRecords(s.db, s.database.sqlite);
  /** Checks in flight, so an image published to several places at once is checked once. */
  const checking = new Map<string, Promise<IntactBlob>>();
  const intactBlobOnce = (sha: string): Promise<IntactBlob> => {
    let check = checking.get(sha);
    if (!check) {
      check = intactBlob({ s, bin, ingest, ensureThumb, blobRow: (x) => records.getBlob(x) }, sha).finally(() =>
        checking.delete(sha),
      );
      checking.set(sha, check);
    }
    return check;
  };

  /** The thumbnail file, made now if it was skipped or lost (once, even when asked concurrently). */
  const ensureThumb = async (sha: string): Promise<string | null> => {
    const blob = await getBlob(s.db, sha);
    if (!blob || blob.state !== 'available') return null;
    const file = blobPath(s.paths, blob.area, sha, blob.ext);
    if (!(await exists(file))) return null;
    if (blob.width <= THUMB_SELF_MAX_WIDTH) return file;
    const thumb = thumbPath(s.paths, sha, 'thumb');
    if (await exists(thumb)) return thumb;
    let job = making.get(sha);
    if (!job) {
      job = (async () => {
        const bytes = await pool.run(async () => thumbnailOf(await readFile(file)));
        if (!bytes) return file;
        await commitTemp(await writeTemp(s.paths.tmp, bytes), thumb, { synced: true });
        return thumb;
      })().finally(() => making.delete(sha));
      making.set(sha, job);
    }
    return job;
  };

  const cachedImagePath = async (sha: string, size: ThumbSize): Promise<string | null> => {
    if (size === 'full') return pathOf(sha);
    try {
      return await ensureThumb(sha);
    } catch (err) {
      // A blob that passed the gate always decodes; if this one does not, verify will say why.
      s.log.child('cache').warn('Thumbnail could not be made', { sha256: sha, error: (err as Error).message });
      return pathOf(sha);
    }
  };
  // The user's pictures in the library are shown too, though the cache does not hold them.
  const originals = new OriginalImages(s, pool);

  return {
    pool,
    ingestUrl: (url, options) => ingest.ingestUrl(url, options),
    ingestFile: (absPath, options) => ingest.ingestFile(absPath, options),
    pathOf,
    intactBlob: intactBlobOnce,
    async thumbnailPath(sha, size) {
      return (await cachedImagePath(sha, size)) ?? originals.path(sha, size);
    },
    protectOriginals: (itemIds, options = {}) =>
      protectOriginals(s, (file, o) => ingest.ingestFile(file, o), itemIds, { ...options, concurrency: pool.size }),
    recycle: {
      put: (absPath, options) => bin.put(absPath, options),
      restore: (id) => bin.restore(id),
      list: (options) => bin.list(options),
      purge: (options) => bin.purge(options),
    },
    async resumePending(options = {}) {
      const tempFilesRemoved = await cleanStaleTemps(s.paths.tmp, s.clock.now(), ingest.active);
      const pending = await s.db
        .selectFrom('downloads')
        .selectAll()
        .where('state', '=', 'pending')
        .orderBy('id')
        .execute();
      const report: ResumeReport = { resumed: pending.length, available: 0, failed: 0, tempFilesRemoved };
      let next = 0;
      const worker = async () => {
        while (next < pending.length) {
          options.signal?.throwIfAborted();
          const d = pending[next++]!;
          try {
            await ingest.ingestUrl(d.url, {
              provider: d.provider,
              area: d.area,
              ...(d.candidate_id === null ? {} : { candidateId: d.candidate_id }),
              ...(options.signal ? { signal: options.signal } : {}),
            });
            report.available++;
          } catch {
            report.failed++; // recorded on the download row with its reason
          }
          options.onProgress?.({ done: report.available + report.failed, total: pending.length, label: 'downloads' });
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, pending.length) }, worker));
      if (pending.length > 0) s.log.child('cache').info('Resumed pending downloads', { ...report });
      return report;
    },
    importUserImage: (req) => importUserImage(s, ingest, req),
    verify: (options) => verifyCache({ s, bin, ingest, ensureThumb }, options),
    gc: (options) => collectGarbage(s, bin, options),
    async close() {
      unsubscribe();
      await ingest.settle();
      await Promise.allSettled([...making.values()]);
    },
  };
}
