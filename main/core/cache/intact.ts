import { lstat } from 'node:fs/promises';
import type { BlobRow } from '../db/schema.ts';
import { hashFile } from './files.ts';
import { blobPath } from './layout.ts';
import { repairBlob, type VerifyDeps } from './verify.ts';

const WHAT_HAPPENED = {
  missing: 'its file is missing from the cache',
  corrupt: 'its cache file was changed on disk (in hardlink mode, editing a published picture in place changes it too)',
} as const;

/** What the check needs beyond a repair's: the blob's row, read at once (one per published file). */
export type IntactDeps = VerifyDeps & { blobRow(sha: string): BlobRow | undefined };

/** A blob's file, proven to hold its bytes; or why there is none to use. */
export type IntactBlob = { file: string; repaired: string | null } | { file: null; problem: string };

/**
 * The file of an available blob, for a caller about to publish from it. A file whose size and
 * mtime are those recorded when its bytes last matched the hash is trusted as is; any other is
 * hashed again, and a damaged one is set aside and recovered as `cache verify --repair` does.
 * In hardlink mode this is what stands between a picture edited in place (which edits the cache
 * file too) and that edit being published everywhere as the chosen image.
 */
export async function intactBlob(deps: IntactDeps, sha: string): Promise<IntactBlob> {
  const { s } = deps;
  const blob = deps.blobRow(sha);
  if (!blob || blob.state !== 'available') return { file: null, problem: 'it is not in the cache' };
  const file = blobPath(s.paths, blob.area, sha, blob.ext);
  const info = await lstat(file).catch(() => null);
  if (info?.isFile() && info.size === blob.bytes && blob.file_mtime === info.mtimeMs) return { file, repaired: null };

  // Changed since last proven, or never proven (a blob from before the time was recorded): a
  // hash decides. Whole bytes only get their time recorded; anything else is repaired.
  const hashed = info?.isFile() ? await hashFile(file).catch(() => null) : null;
  if (hashed?.sha256 === sha) {
    await s.db
      .updateTable('blobs')
      .set({ file_mtime: info!.mtimeMs, verified_at: s.clock.now() })
      .where('sha256', '=', sha)
      .execute();
    return { file, repaired: null };
  }
  const problem = await repairBlob(deps, blob);
  if (problem && problem.outcome !== 'repaired')
    return { file: null, problem: `${WHAT_HAPPENED[problem.problem]}; ${problem.detail}` };
  const proven = await lstat(file).catch(() => null);
  if (!proven?.isFile()) return { file: null, problem: `${file} is gone` };
  await s.db.updateTable('blobs').set({ file_mtime: proven.mtimeMs }).where('sha256', '=', sha).execute();
  if (problem) {
    s.log.child('cache').warn('A cache file had changed on disk and was repaired before use', {
      sha256: sha,
      detail: problem.detail,
    });
  }
  return { file, repaired: problem?.detail ?? null };
}
