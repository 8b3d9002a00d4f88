import { copyFile, lstat, mkdir, open, unlink } from 'node:fs/promises';
import type { CallOptions } from '../../../shared/api/index.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import type { BlobRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { commitTemp, hashFile, removeQuietly, tempPathIn } from './files.ts';
import { sniffFormat } from './formats.ts';
import type { Ingest } from './ingest.ts';
import { blobPath, thumbPath, THUMB_SELF_MAX_WIDTH } from './layout.ts';
import { quarantineFile, quarantineStray } from './quarantine.ts';
import type { RecycleBin } from './recycle.ts';
import { examinePath, isWholeWebp, shaOfEntry, walkShards, type PathContent, type ShardedFolder } from './shards.ts';

export type VerifyOutcome = 'reported' | 'repaired' | 'unrecoverable';

/** A slot that shows a blob, so a report can say which items a problem touches. */
export interface SlotRef {
  itemId: number;
  type: string;
  rank: number;
}

export interface VerifyProblem {
  sha256: string;
  area: 'assets' | 'previews';
  problem: 'missing' | 'corrupt';
  outcome: VerifyOutcome;
  /** Where it was recovered from, or why it could not be. */
  detail: string;
  /** The slots that show this image (none for an image nothing uses). */
  usedBy: SlotRef[];
}

/** Files under assets/previews/thumbs that Posterity did not put there (wrong name or place). */
export interface StrayReport {
  found: number;
  /** Moved to `quarantine/stray/` (with repair). */
  moved: number;
  /** A few of them, relative to `cache/`. */
  examples: string[];
}

export interface VerifyReport {
  repair: boolean;
  checked: number;
  ok: number;
  problems: VerifyProblem[];
  thumbnailsMissing: number;
  /** Thumbnails whose WebP header does not match the file (truncated, overwritten) or that are not files. */
  thumbnailsDamaged: number;
  thumbnailsRebuilt: number;
  strays: StrayReport;
}

export interface VerifyDeps {
  s: Services;
  bin: RecycleBin;
  ingest: Ingest;
  ensureThumb(sha: string): Promise<string | null>;
}

type Options = { repair: boolean } & CallOptions;

/** How many stray paths a report names. */
const STRAY_EXAMPLES = 5;
/** The folders walked for strays; thumbs too, since a stray there is served as nothing but sits on disk. */
const STRAY_FOLDERS: readonly ShardedFolder[] = ['assets', 'previews', 'thumbs'];

/**
 * Re-hashes every blob, each on its own: whatever sits at one blob's path (a folder, a symlink
 * loop, an unreadable file) is reported for that blob and the rest are still checked. Without
 * `repair` it only reports, including blobs an earlier repair left quarantined. With `repair`, a
 * corrupt file (or whatever is in the way) is moved to `cache/quarantine/` and the blob is
 * recovered from, in order: a library file with the same hash (a published copy), a recycle bin
 * copy, the local file it came from (an SVG is rendered again), then its download URLs. A blob
 * that none of these can give back stays quarantined and is reported. Then thumbnails (missing or
 * damaged) and stray files under the cache folders.
 */
export async function verifyCache(deps: VerifyDeps, options: Options): Promise<VerifyReport> {
  const { s } = deps;
  const blobs = await s.db
    .selectFrom('blobs')
    .selectAll()
    .where('state', 'in', ['available', 'quarantined'])
    .orderBy('sha256')
    .execute();
  const report = emptyReport(options.repair, blobs.length);
  const verified: string[] = [];
  for (const [i, blob] of blobs.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.({ done: i, total: blobs.length, label: blob.sha256.slice(0, 12) });
    if (await checkBlob(deps, blob, options, report)) verified.push(blob.sha256);
  }
  await stampVerified(s, verified);
  await findStrays(deps, new Set(blobs.map((b) => b.sha256)), options, report.strays);
  await attachSlots(s, report.problems);
  options.onProgress?.({ done: blobs.length, total: blobs.length });
  const repaired = report.problems.filter((p) => p.outcome === 'repaired').length;
  if (report.problems.length > 0 || report.thumbnailsDamaged > 0 || report.strays.found > 0) {
    s.log.child('cache').warn('Cache verification found problems', {
      problems: report.problems.length,
      repaired,
      thumbnailsDamaged: report.thumbnailsDamaged,
      strays: report.strays.found,
    });
  }
  return report;
}

function emptyReport(repair: boolean, checked: number): VerifyReport {
  return {
    repair,
    checked,
    ok: 0,
    problems: [],
    thumbnailsMissing: 0,
    thumbnailsDamaged: 0,
    thumbnailsRebuilt: 0,
    strays: { found: 0, moved: 0, examples: [] },
  };
}

/**
 * One blob checked, and repaired when damaged, as `cache verify --repair` would: for a caller
 * about to use its file. The problem found and what became of it; null when the file was whole.
 */
export async function repairBlob(deps: VerifyDeps, blob: BlobRow): Promise<VerifyProblem | null> {
  const report = emptyReport(true, 1);
  if (await checkBlob(deps, blob, { repair: true }, report)) await stampVerified(deps.s, [blob.sha256]);
  return report.problems[0] ?? null;
}

/** One blob: checked, and with repair recovered. True when its file was whole (stamp it verified). */
async function checkBlob(deps: VerifyDeps, blob: BlobRow, options: Options, report: VerifyReport): Promise<boolean> {
  const { s } = deps;
  const file = blobPath(s.paths, blob.area, blob.sha256, blob.ext);
  const problem = (p: VerifyProblem['problem'], outcome: VerifyOutcome, detail: string) =>
    report.problems.push({ sha256: blob.sha256, area: blob.area, problem: p, outcome, detail, usedBy: [] });
  let found: PathContent;
  try {
    found = await examinePath(file);
  } catch (err) {
    // Unreadable (permissions, a failing disk): this blob's problem, not the whole run's.
    problem('corrupt', 'reported', (err as Error).message);
    return false;
  }
  if (found.kind === 'file' && found.sha256 === blob.sha256) {
    if (blob.state === 'quarantined' && !options.repair) {
      problem('corrupt', 'reported', `quarantined, but ${file} is whole again; --repair makes it available`);
      return true;
    }
    report.ok++;
    if (blob.state === 'quarantined') await setState(s, blob.sha256, 'available');
    await checkThumb(deps, blob, options.repair, report);
    return true;
  }
  const kind: VerifyProblem['problem'] = found.kind === 'file' || blob.state === 'quarantined' ? 'corrupt' : 'missing';
  if (!options.repair) {
    problem(kind, 'reported', describe(blob, found, file));
    return false;
  }
  try {
    // The damaged file (or whatever is in the way) is kept for inspection, never deleted.
    if (found.kind !== 'missing') await quarantineFile(s.paths, file, blob.sha256, blob.ext, s.clock.now());
    if (blob.state !== 'quarantined') await setState(s, blob.sha256, 'quarantined');
    const recovered = await recover(deps, blob, file);
    problem(kind, recovered.ok ? 'repaired' : 'unrecoverable', recovered.detail);
    if (recovered.ok) await checkThumb(deps, blob, true, report);
  } catch (err) {
    problem(kind, 'unrecoverable', `${describe(blob, found, file)}; ${(err as Error).message}`);
  }
  return false;
}

function describe(blob: BlobRow, found: PathContent, file: string): string {
  if (blob.state === 'quarantined' && found.kind === 'missing') {
    return 'quarantined by an earlier verify and not repaired; `cache verify --repair` tries again';
  }
  if (found.kind === 'missing') return `${file} is missing`;
  if (found.kind === 'other') return `${file} is ${found.what}, not the image`;
  return `${file} does not match its hash`;
}

async function setState(s: Services, sha: string, state: 'available' | 'quarantined'): Promise<void> {
  await s.db.updateTable('blobs').set({ state }).where('sha256', '=', sha).execute();
}

async function stampVerified(s: Services, verified: string[]): Promise<void> {
  const now = s.clock.now();
  for (let i = 0; i < verified.length; i += 500) {
    await s.db
      .updateTable('blobs')
      .set({ verified_at: now })
      .where('sha256', 'in', verified.slice(i, i + 500))
      .execute();
  }
}

/** Which slots show each problem's image, so the report names the items a user will see broken. */
async function attachSlots(s: Services, problems: VerifyProblem[]): Promise<void> {
  const shas = [...new Set(problems.map((p) => p.sha256))];
  const bySha = new Map<string, SlotRef[]>();
  for (let i = 0; i < shas.length; i += 500) {
    const rows = await s.db
      .selectFrom('slots')
      .select(['blob_sha', 'item_id', 'asset_type', 'rank'])
      .where('blob_sha', 'in', shas.slice(i, i + 500))
      .orderBy('item_id')
      .orderBy('asset_type')
      .orderBy('rank')
      .execute();
    for (const r of rows) {
      const list = bySha.get(r.blob_sha!) ?? [];
      list.push({ itemId: r.item_id, type: r.asset_type, rank: r.rank });
      bySha.set(r.blob_sha!, list);
    }
  }
  for (const p of problems) {
    p.usedBy = bySha.get(p.sha256) ?? [];
  }
}

/** A local file that might give a blob back, and what to call it in the report. */
interface LocalCopy {
  path: string;
  what: string;
  /** Where the blob was imported from: an SVG there is rendered again (the blob is its PNG). */
  source?: { provider: 'upload' | 'original' };
}

async function recover(deps: VerifyDeps, blob: BlobRow, file: string): Promise<{ ok: boolean; detail: string }> {
  const { s } = deps;
  const local: LocalCopy[] = [];
  const libraryFiles = await s.db
    .selectFrom('library_files')
    .select('path')
    .where('sha256', '=', blob.sha256)
    .execute();
  for (const f of libraryFiles) local.push({ path: f.path, what: 'library file' });
  const recycled = await deps.bin.findCopy(blob.sha256);
  if (recycled) local.push({ path: recycled, what: 'recycle bin copy' });
  const sources = await s.db
    .selectFrom('blob_sources')
    .selectAll()
    .where('sha256', '=', blob.sha256)
    .orderBy('added_at', 'desc')
    .execute();
  for (const src of sources) {
    if (/^https?:\/\//i.test(src.source)) continue;
    const provider = src.provider === 'original' ? 'original' : 'upload';
    local.push({ path: src.source, what: `${src.provider} file`, source: { provider } });
  }

  for (const copy of local) {
    if (await restoreFromCopy(deps, copy, file, blob.sha256)) {
      await setState(s, blob.sha256, 'available');
      return { ok: true, detail: `restored from the ${copy.what} ${copy.path}` };
    }
  }
  const failures: string[] = [];
  for (const src of sources.filter((x) => /^https?:\/\//i.test(x.source))) {
    try {
      const got = await deps.ingest.ingestUrl(src.source, { provider: src.provider, area: blob.area, refetch: true });
      if (got.sha256 === blob.sha256) return { ok: true, detail: `downloaded again from ${src.provider}` };
      failures.push(`${src.provider} now serves different bytes`);
    } catch (err) {
      failures.push(`${src.provider}: ${(err as Error).message}`);
    }
  }
  const tried = local.length + failures.length;
  return {
    ok: false,
    detail:
      tried === 0
        ? 'no copy and no source to fetch it from'
        : `no good copy (${failures.join('; ') || 'local copies differ or are gone'})`,
  };
}

/**
 * Puts a local copy back at the blob's place when its bytes hash to the blob: the same bytes the
 * gate once accepted, so nothing unchecked enters assets. An SVG the blob was rendered from goes
 * through the ingest (the gate's own rasterisation) and counts only if it renders to the same PNG.
 * Only regular files are read: a FIFO or device there would block the copy.
 */
async function restoreFromCopy(deps: VerifyDeps, copy: LocalCopy, to: string, sha: string): Promise<boolean> {
  const { s } = deps;
  if (!(await lstat(copy.path).catch(() => null))?.isFile()) return false;
  if (copy.source && (await isSvg(copy.path))) return rerenderSvg(deps, copy.path, copy.source.provider, sha);
  const tmp = tempPathIn(s.paths.tmp);
  try {
    await mkdir(s.paths.tmp, { recursive: true });
    await copyFile(copy.path, tmp);
    if ((await hashFile(tmp))?.sha256 !== sha) return false;
    await commitTemp(tmp, to);
    return true;
  } catch {
    return false;
  } finally {
    await removeQuietly(tmp);
  }
}

async function isSvg(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return sniffFormat(head.subarray(0, bytesRead)).kind === 'svg';
  } finally {
    await handle.close();
  }
}

/** The SVG through the ingest, which stores its PNG only when it hashes to `sha`. */
async function rerenderSvg(
  deps: VerifyDeps,
  file: string,
  provider: 'upload' | 'original',
  sha: string,
): Promise<boolean> {
  try {
    const blob = await deps.ingest.ingestFile(file, { provider, expectSha: sha });
    return blob.sha256 === sha;
  } catch (err) {
    if (err instanceof ApiError) return false;
    throw err;
  }
}

/** A thumbnail is derived data: a missing one is counted (made on first request), a damaged one is reported; repair rebuilds both. */
async function checkThumb(deps: VerifyDeps, blob: BlobRow, repair: boolean, report: VerifyReport): Promise<void> {
  if (blob.width <= THUMB_SELF_MAX_WIDTH) return;
  const thumb = thumbPath(deps.s.paths, blob.sha256, 'thumb');
  const info = await lstat(thumb).catch(() => null);
  if (info?.isFile() && (await isWholeWebp(thumb))) return;
  if (info) report.thumbnailsDamaged++;
  else report.thumbnailsMissing++;
  if (!repair) return;
  if (info) await removeDamagedThumb(deps, thumb, info.isFile());
  if (await deps.ensureThumb(blob.sha256).catch(() => null)) report.thumbnailsRebuilt++;
}

/** A damaged thumbnail file is ours and deleted; anything else at its path (a folder) is moved aside, not deleted. */
async function removeDamagedThumb(deps: VerifyDeps, thumb: string, isFile: boolean): Promise<void> {
  const { s } = deps;
  if (isFile) await unlink(thumb).catch(() => undefined);
  else await quarantineStray(s.paths, thumb, 'thumbs', thumb.slice(s.paths.thumbs.length + 1), s.clock.now());
}

/**
 * Walks assets/previews/thumbs for entries Posterity did not put there: a name that is not
 * `<sha256>.<ext>` (thumbs: `<sha256>-thumb.webp`) in its own shard, or not a regular file. An
 * obstacle at a known blob's path was already reported (and moved) with that blob.
 */
async function findStrays(deps: VerifyDeps, known: Set<string>, options: Options, out: StrayReport): Promise<void> {
  const { s } = deps;
  for (const folder of STRAY_FOLDERS) {
    for await (const e of walkShards(s.paths[folder])) {
      options.signal?.throwIfAborted();
      const sha = shaOfEntry(folder, e);
      if (sha && (e.isFile || known.has(sha))) continue;
      out.found++;
      const rel = `${folder}/${e.rel}`;
      if (out.examples.length < STRAY_EXAMPLES) out.examples.push(e.isFile ? rel : `${rel} (${e.what})`);
      if (!options.repair) continue;
      const moved = await quarantineStray(s.paths, e.abs, folder, e.rel, s.clock.now()).then(
        () => true,
        (err: unknown) => {
          s.log.child('cache').warn('A stray file could not be moved to the quarantine', {
            file: e.abs,
            error: (err as Error).message,
          });
          return false;
        },
      );
      if (moved) out.moved++;
    }
  }
}
