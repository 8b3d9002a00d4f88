import { copyFile, mkdir } from 'node:fs/promises';
import type { CallOptions } from '../../../shared/api/index.ts';
import type { BlobRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { commitTemp, exists, hashFile, removeQuietly, tempPathIn } from './files.ts';
import type { Ingest } from './ingest.ts';
import { blobPath, thumbPath, THUMB_SELF_MAX_WIDTH } from './layout.ts';
import { quarantineFile } from './quarantine.ts';
import type { RecycleBin } from './recycle.ts';

export type VerifyOutcome = 'reported' | 'repaired' | 'unrecoverable';

export interface VerifyProblem {
  sha256: string;
  area: 'assets' | 'previews';
  problem: 'missing' | 'corrupt';
  outcome: VerifyOutcome;
  /** Where it was recovered from, or why it could not be. */
  detail: string;
}

export interface VerifyReport {
  repair: boolean;
  checked: number;
  ok: number;
  problems: VerifyProblem[];
  thumbnailsMissing: number;
  thumbnailsRebuilt: number;
}

interface VerifyDeps {
  s: Services;
  bin: RecycleBin;
  ingest: Ingest;
  ensureThumb(sha: string): Promise<string | null>;
}

/**
 * Re-hashes every blob. Without `repair` it only reports. With `repair`, a corrupt file is moved
 * to `cache/quarantine/` and the blob is recovered from, in order: a library file with the same
 * hash (a published copy), a recycle bin copy, the local file it came from, then its download
 * URLs. A blob that none of these can give back stays quarantined and is reported.
 */
export async function verifyCache(deps: VerifyDeps, options: { repair: boolean } & CallOptions): Promise<VerifyReport> {
  const { s } = deps;
  const blobs = await s.db
    .selectFrom('blobs')
    .selectAll()
    .where('state', 'in', options.repair ? ['available', 'quarantined'] : ['available'])
    .orderBy('sha256')
    .execute();
  const report: VerifyReport = {
    repair: options.repair,
    checked: blobs.length,
    ok: 0,
    problems: [],
    thumbnailsMissing: 0,
    thumbnailsRebuilt: 0,
  };
  const verified: string[] = [];
  for (const [i, blob] of blobs.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.({ done: i, total: blobs.length, label: blob.sha256.slice(0, 12) });
    const file = blobPath(s.paths, blob.area, blob.sha256, blob.ext);
    const found = await hashFile(file);
    if (found?.sha256 === blob.sha256) {
      report.ok++;
      verified.push(blob.sha256);
      if (blob.state === 'quarantined') await setState(s, blob.sha256, 'available');
      await checkThumb(deps, blob, options.repair, report);
      continue;
    }
    const problem: VerifyProblem['problem'] = found ? 'corrupt' : blob.state === 'quarantined' ? 'corrupt' : 'missing';
    if (!options.repair) {
      report.problems.push({
        sha256: blob.sha256,
        area: blob.area,
        problem,
        outcome: 'reported',
        detail: describe(problem, file),
      });
      continue;
    }
    // The damaged file is kept for inspection, not deleted (GC purges it after the retention).
    if (found) await quarantineFile(s.paths, file, blob.sha256, blob.ext, s.clock.now());
    if (blob.state !== 'quarantined') await setState(s, blob.sha256, 'quarantined');
    const recovered = await recover(deps, blob, file);
    report.problems.push({
      sha256: blob.sha256,
      area: blob.area,
      problem,
      outcome: recovered.ok ? 'repaired' : 'unrecoverable',
      detail: recovered.detail,
    });
    if (recovered.ok) await checkThumb(deps, blob, true, report);
  }
  const now = s.clock.now();
  for (let i = 0; i < verified.length; i += 500) {
    await s.db
      .updateTable('blobs')
      .set({ verified_at: now })
      .where('sha256', 'in', verified.slice(i, i + 500))
      .execute();
  }
  options.onProgress?.({ done: blobs.length, total: blobs.length });
  const repaired = report.problems.filter((p) => p.outcome === 'repaired').length;
  if (report.problems.length > 0) {
    s.log.child('cache').warn('Cache verification found problems', { problems: report.problems.length, repaired });
  }
  return report;
}

function describe(problem: VerifyProblem['problem'], file: string): string {
  return problem === 'missing' ? `${file} is missing` : `${file} does not match its hash`;
}

async function setState(s: Services, sha: string, state: 'available' | 'quarantined'): Promise<void> {
  await s.db.updateTable('blobs').set({ state }).where('sha256', '=', sha).execute();
}

async function recover(deps: VerifyDeps, blob: BlobRow, file: string): Promise<{ ok: boolean; detail: string }> {
  const { s } = deps;
  const local: { path: string; what: string }[] = [];
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
  for (const src of sources)
    if (!/^https?:\/\//i.test(src.source)) local.push({ path: src.source, what: `${src.provider} file` });

  for (const copy of local) {
    if (await restoreFromCopy(s, copy.path, file, blob.sha256)) {
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

/** Copies a local file over the blob's place when it hashes to the blob. */
async function restoreFromCopy(s: Services, from: string, to: string, sha: string): Promise<boolean> {
  const tmp = tempPathIn(s.paths.tmp);
  try {
    await mkdir(s.paths.tmp, { recursive: true });
    await copyFile(from, tmp);
    if ((await hashFile(tmp))?.sha256 !== sha) return false;
    await commitTemp(tmp, to);
    return true;
  } catch {
    return false;
  } finally {
    await removeQuietly(tmp);
  }
}

async function checkThumb(deps: VerifyDeps, blob: BlobRow, repair: boolean, report: VerifyReport): Promise<void> {
  if (blob.width <= THUMB_SELF_MAX_WIDTH) return;
  if (await exists(thumbPath(deps.s.paths, blob.sha256, 'thumb'))) return;
  report.thumbnailsMissing++;
  if (!repair) return;
  if (await deps.ensureThumb(blob.sha256).catch(() => null)) report.thumbnailsRebuilt++;
}
