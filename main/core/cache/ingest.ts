import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readFile, stat } from 'node:fs/promises';
import { ApiError } from '../../../shared/api/errors.ts';
import type { BlobRow } from '../db/schema.ts';
import { HttpError, redactUrl } from '../providers/http.ts';
import type { Services } from '../services.ts';
import { IngestRecords } from './blobs-repo.ts';
import { commitTemp, exists, moveFile, receive, removeQuietly, syncFile, writeTemp, type Received } from './files.ts';
import { declaredFormat, STORED_FORMATS } from './formats.ts';
import { encodeThumb, GATE_LIMITS, inspectPixels, Rejection, type InspectedImage, type ThumbPixels } from './gate.ts';
import { blobPath, thumbPath, type CacheArea } from './layout.ts';
import type { WorkPool } from './pool.ts';

export interface IngestUrlOptions {
  /** Who served it (tmdb, fanart…); kept as provenance. */
  provider: string;
  area: CacheArea;
  /** The candidate this image belongs to: its blob_sha/preview_sha or error is set. */
  candidateId?: number;
  signal?: AbortSignal;
  /** Make the grid thumbnail now (default); false leaves it to the first request for it. */
  thumbnails?: boolean;
  /** Download again even when the URL already gave a stored blob (repair). */
  refetch?: boolean;
}

export interface IngestFileOptions {
  provider: 'upload' | 'original';
  area?: 'assets';
  signal?: AbortSignal;
  thumbnails?: boolean;
  /**
   * Store the image only if its stored bytes hash to this (repair: an SVG rendered again must
   * give the very PNG the blob is); anything else is refused before it is written.
   */
  expectSha?: string;
}

/** Bookkeeping a caller adds to the transaction that records a stored blob (synchronous `IngestRecords` calls). */
type AfterStore = (sha: string) => void;

interface Provenance {
  provider: string;
  source: string;
  /** What the server's Content-Type (or the name) claimed; only logged, the bytes decide. */
  declared?: string | null;
}

/** The part of the cache that brings bytes in: downloads, local files, and resuming after a crash. */
export class Ingest {
  /** Downloads in flight in this process, so two callers asking for one URL share one download. */
  readonly #inflight = new Map<string, Promise<BlobRow>>();
  /** Temp files being written by this process (never cleaned from under it). */
  readonly active = new Set<string>();
  /** The database side of an ingest, as prepared statements. */
  readonly #records: IngestRecords;

  constructor(
    private readonly s: Services,
    private readonly pool: WorkPool,
  ) {
    this.#records = new IngestRecords(s.db, s.database.sqlite);
  }

  /** Waits for every download in flight to settle (the engine closes the database after this). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inflight.values()]);
  }

  /**
   * Downloads `url` into the cache, or returns the blob it already produced. Coalesces
   * concurrent requests; records PENDING → AVAILABLE | FAILED in `downloads`.
   */
  ingestUrl(url: string, options: IngestUrlOptions): Promise<BlobRow> {
    const key = `${options.area} ${url}`;
    let running = this.#inflight.get(key);
    if (!running) {
      running = this.#ingestUrl(url, options).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, running);
      return running;
    }
    // A second caller: share the download, then note the outcome on its own candidate too.
    const candidateId = options.candidateId;
    if (candidateId === undefined) return running;
    const note = (outcome: { sha: string } | { error: string }) =>
      this.#records.exclusive(() => this.#records.noteOnCandidate(candidateId, options.area, outcome));
    return running.then(
      async (blob) => {
        await note({ sha: blob.sha256 });
        return blob;
      },
      async (err: unknown) => {
        await note({ error: reasonOf(err) });
        throw err;
      },
    );
  }

  async #ingestUrl(url: string, o: IngestUrlOptions): Promise<BlobRow> {
    const { clock } = this.s;
    const records = this.#records;
    const pending = { url, area: o.area, provider: o.provider, candidateId: o.candidateId ?? null };
    // Look the URL up and, unless it already gave a blob, mark it PENDING: one trip to the database.
    const known = await records.exclusive(() => {
      const row = records.getDownload(url, o.area);
      const stored = !o.refetch && row?.state === 'available' && row.blob_sha ? row.blob_sha : null;
      if (!stored) records.markPending(pending, clock.now());
      return stored;
    });
    if (known) {
      const blob = await this.#usable(known, o.area);
      if (blob) {
        if (o.candidateId !== undefined) {
          const candidateId = o.candidateId;
          await records.exclusive(() => records.noteOnCandidate(candidateId, o.area, { sha: blob.sha256 }));
        }
        return blob;
      }
      await records.exclusive(() => records.markPending(pending, clock.now()));
    }
    const finish = (outcome: { sha: string } | { error: string }) => {
      records.markDownloadDone(url, o.area, outcome, clock.now());
      if (o.candidateId !== undefined) records.noteOnCandidate(o.candidateId, o.area, outcome);
    };
    try {
      const received = await this.#download(url, o.signal);
      const provenance = { provider: o.provider, source: url, declared: received.declared };
      // The download's outcome is recorded in the same transaction that records the blob.
      return await this.storeReceived(received, provenance, o.area, o.thumbnails ?? true, (sha) => finish({ sha }));
    } catch (err) {
      const error = toIngestError(err, `The image ${redactUrl(url)}`);
      await records.transaction(() => finish({ error: reasonOf(error) }));
      this.s.log.child('cache').warn('Download refused', { url: redactUrl(url), reason: error.message });
      throw error;
    }
  }

  /** The blob for `sha` if it is available with its file in place (moved up to assets when asked there). */
  async #usable(sha: string, area: CacheArea): Promise<BlobRow | null> {
    const records = this.#records;
    const blob = await records.exclusive(() => records.getBlob(sha));
    if (!blob || blob.state !== 'available') return null;
    const file = blobPath(this.s.paths, blob.area, sha, blob.ext);
    if (!(await exists(file))) return null;
    if (area === 'assets' && blob.area === 'previews') return this.#promote(blob, file);
    await records.exclusive(() => records.touchBlob(sha));
    return { ...blob, unreferenced_since: null };
  }

  /** A preview that turns out to be the chosen full image moves to assets (previews may be cleaned up sooner). */
  async #promote(blob: BlobRow, from: string): Promise<BlobRow> {
    await moveFile(from, blobPath(this.s.paths, 'assets', blob.sha256, blob.ext));
    return this.s.db
      .updateTable('blobs')
      .set({ area: 'assets', unreferenced_since: null })
      .where('sha256', '=', blob.sha256)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async #download(url: string, signal: AbortSignal | undefined): Promise<Received & { declared: string | null }> {
    const max = GATE_LIMITS.maxBytes;
    const res = await this.s.providers.http.download(url, { budget: 'images', maxBytes: max, signal });
    if (res.status !== 200) {
      res.body.destroy();
      throw new ApiError('provider_error', `The image ${redactUrl(url)} could not be downloaded: HTTP ${res.status}`);
    }
    const length = Number(header(res.headers, 'content-length'));
    if (Number.isFinite(length) && length > max) {
      res.body.destroy();
      throw new Rejection(`larger than ${max / 1024 / 1024} MB (declared ${Math.round(length / 1024 / 1024)} MB)`);
    }
    const declared = declaredFormat(header(res.headers, 'content-type'), url);
    return { ...(await this.#receive(res.body, signal)), declared };
  }

  async #receive(source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<Received> {
    let spilled: string | null = null;
    const onTemp = (tmp: string) => this.active.add((spilled = tmp));
    return receive(source, this.s.paths.tmp, GATE_LIMITS.maxBytes, { signal, onTemp }).catch((err: unknown) => {
      if (spilled) this.active.delete(spilled); // receive removed the file
      throw err;
    });
  }

  /**
   * Copies a local file (a user's upload, an original found in the library) into the cache after
   * the same validation as a download.
   */
  async ingestFile(absPath: string, o: IngestFileOptions): Promise<BlobRow> {
    const info = await stat(absPath).catch(() => null);
    if (!info) throw new ApiError('not_found', `No file at ${absPath}`, 'file');
    if (!info.isFile()) throw new ApiError('bad_request', notAnImageFile(absPath, info), 'file');
    if (info.size > GATE_LIMITS.maxBytes) {
      throw new ApiError(
        'bad_request',
        `${absPath} was refused: larger than ${GATE_LIMITS.maxBytes / 1024 / 1024} MB`,
        'file',
      );
    }
    try {
      const received = await this.#receive(createReadStream(absPath), o.signal);
      const provenance = { provider: o.provider, source: absPath, declared: declaredFormat(undefined, absPath) };
      return await this.storeReceived(
        received,
        provenance,
        o.area ?? 'assets',
        o.thumbnails ?? true,
        undefined,
        o.expectSha,
      );
    } catch (err) {
      if (err instanceof Rejection) throw new ApiError('bad_request', `${absPath} was refused: ${err.reason}`, 'file');
      throw err;
    }
  }

  /**
   * Makes a received body a blob. Bytes already stored are not validated or written again: only
   * the provenance is added. Otherwise the gate runs in the work pool while the temp file is
   * written and fsynced beside it; only when both succeed is the file renamed into place.
   */
  async storeReceived(
    received: Received,
    provenance: Provenance,
    area: CacheArea,
    thumbnails: boolean,
    after?: AfterStore,
    expectSha?: string,
  ): Promise<BlobRow> {
    const temps: string[] = received.tmpPath ? [received.tmpPath] : [];
    /** The thumbnail's temp file while this function owns it (until #record takes it). */
    let thumbDone: Promise<string | null> | null = null;
    try {
      const known = await this.#knownBytes(received.sha256, area, provenance, after);
      if (known) return known;
      const bytes = received.bytes ?? (await readFile(received.tmpPath!));
      if (bytes.length !== received.size) {
        throw new ApiError('io_error', `The cache's temp file was not written whole (is the disk full?)`);
      }
      // Written while the image is checked; thrown away if the check fails.
      const persisted = received.tmpPath
        ? syncFile(received.tmpPath).then(() => received.tmpPath!)
        : this.#writeTemp(bytes, temps);
      persisted.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
      let gate: InspectedImage;
      try {
        gate = await this.pool.run(() => inspectPixels(bytes, { thumbnail: thumbnails }));
      } catch (err) {
        await persisted.catch(() => undefined);
        throw err;
      }
      // The image is proven whole; its thumbnail is encoded and written while the blob is
      // committed (derived data: one that cannot be made now is made on first request).
      thumbDone = gate.thumbPixels ? this.#makeThumb(gate.thumbPixels) : null;
      let tmp = await persisted;
      const real = gate.converted ? 'svg' : gate.format;
      if (provenance.declared && provenance.declared !== real) {
        this.s.log.child('cache').info('Declared format differs from the real one; the real one is kept', {
          source: redactUrl(provenance.source),
          declared: provenance.declared,
          real,
        });
      }
      let sha = received.sha256;
      if (!gate.converted) refuseUnexpected(sha, expectSha);
      if (gate.converted) {
        // The stored bytes are the PNG an SVG became; they are what the name must address.
        sha = createHash('sha256').update(gate.bytes).digest('hex');
        refuseUnexpected(sha, expectSha);
        const known = await this.#knownBytes(sha, area, provenance, after);
        if (known) return known;
        tmp = await this.#writeTemp(gate.bytes, temps);
      }
      const file = blobPath(this.s.paths, area, sha, STORED_FORMATS[gate.format].ext);
      await commitTemp(tmp, file, { synced: true });
      temps.splice(temps.indexOf(tmp), 1); // renamed into place: nothing left to clean up
      const fileMtime = (await lstat(file)).mtimeMs;
      const thumb = thumbDone;
      thumbDone = null;
      return await this.#record(sha, gate, provenance, area, fileMtime, thumb, after);
    } finally {
      const unused = await thumbDone; // known bytes after all, or a failure: the thumbnail is not needed
      if (unused) {
        this.active.delete(unused);
        await removeQuietly(unused);
      }
      for (const tmp of temps) {
        this.active.delete(tmp);
        await removeQuietly(tmp);
      }
    }
  }

  async #writeTemp(bytes: Buffer, temps: string[]): Promise<string> {
    const tmp = await writeTemp(this.s.paths.tmp, bytes, (file) => {
      temps.push(file);
      this.active.add(file);
    });
    return tmp;
  }

  /** The blob when these bytes are already stored and whole: then only the provenance is new. */
  async #knownBytes(sha: string, area: CacheArea, provenance: Provenance, after?: AfterStore): Promise<BlobRow | null> {
    const blob = await this.#usable(sha, area);
    if (!blob) return null;
    await this.#records.transaction(() => {
      this.#records.addSource(sha, provenance, this.s.clock.now());
      after?.(sha);
    });
    return blob;
  }

  /**
   * Encodes the thumbnail (in the work pool) and writes it to a fsynced temp file; resolves to
   * that file, or null when either failed (logged): it never rejects. Named by the blob's hash
   * only once the blob is committed, in #record.
   */
  async #makeThumb(pixels: ThumbPixels): Promise<string | null> {
    try {
      // A turn of its own in the pool: sharp work (decodes and encodes) never exceeds the pool's
      // size, which leaves libuv's other threads to the file system (fsync, rename), and the
      // encode with its temp file overlaps the blob's commit instead of preceding it.
      const webp = await this.pool.run(() => encodeThumb(pixels));
      return await this.#writeTemp(webp, []);
    } catch (err) {
      this.s.log.child('cache').warn('Thumbnail not made', { error: (err as Error).message });
      return null;
    }
  }

  /** The thumbnail into place, then the blob row, its provenance and the caller's bookkeeping in one transaction. */
  async #record(
    sha: string,
    gate: InspectedImage,
    provenance: Provenance,
    area: CacheArea,
    fileMtime: number,
    thumbDone: Promise<string | null> | null,
    after?: AfterStore,
  ) {
    const { clock } = this.s;
    const spec = STORED_FORMATS[gate.format];
    const thumbTemp = await thumbDone;
    if (thumbTemp) {
      this.active.delete(thumbTemp);
      // Derived data: a thumbnail that cannot be written now is made on first request instead.
      await commitTemp(thumbTemp, thumbPath(this.s.paths, sha, 'thumb'), { synced: true }).catch((err: unknown) =>
        this.s.log.child('cache').warn('Thumbnail not written', { sha256: sha, error: (err as Error).message }),
      );
    }
    return this.#records.transaction(() => {
      const blob = this.#records.upsertAvailableBlob(
        {
          sha256: sha,
          ext: spec.ext,
          mime: spec.mime,
          width: gate.width,
          height: gate.height,
          bytes: gate.bytes.length,
          phash: gate.phash,
          area,
          fileMtime,
        },
        provenance,
        clock.now(),
      );
      after?.(sha);
      return blob;
    });
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Every failure as an ApiError whose message says what was refused and why. */
function toIngestError(err: unknown, what: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Rejection) return new ApiError('provider_error', `${what} was refused: ${err.reason}`);
  if (err instanceof HttpError && err.code === 'too_large') {
    return new ApiError('provider_error', `${what} was refused: larger than ${GATE_LIMITS.maxBytes / 1024 / 1024} MB`);
  }
  const e = err as Error;
  if (e?.name === 'AbortError' || (e as { code?: string })?.code === 'ABORT_ERR')
    return new ApiError('cancelled', 'Cancelled');
  const message = e?.message ?? String(err);
  // A body cut off past the size cap surfaces from undici as a plain error.
  if (/max(imum)?.?response.?size|exceeded max size|too large/i.test(message)) {
    return new ApiError('provider_error', `${what} was refused: larger than ${GATE_LIMITS.maxBytes / 1024 / 1024} MB`);
  }
  return new ApiError('provider_error', `${what} could not be downloaded: ${redactUrl(message)}`);
}

/** The reason stored beside a failed download or candidate. */
function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Repair asked for particular bytes: anything else is refused rather than stored as a new blob. */
function refuseUnexpected(sha: string, expectSha: string | undefined): void {
  if (expectSha !== undefined && sha !== expectSha) {
    throw new Rejection(
      `it gives different bytes (${sha.slice(0, 12)}) than the image it should restore (${expectSha.slice(0, 12)})`,
    );
  }
}

/** Why a path that exists cannot be imported: a folder, a FIFO or a device is not an image file. */
function notAnImageFile(absPath: string, info: Stats): string {
  return info.isDirectory() ? `${absPath} is a folder, not an image file` : `${absPath} is not a regular file`;
}
