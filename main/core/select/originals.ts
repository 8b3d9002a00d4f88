import { stat } from 'node:fs/promises';
import { isAssetType } from '../../../shared/asset-types.ts';
import type { OriginalView } from '../../../shared/api/artwork.ts';
import type { Services } from '../services.ts';
import type { EvalOriginal } from './evaluate.ts';
import { hashImage } from './phash.ts';

export type Original = EvalOriginal & OriginalView;

/**
 * The item's own image files (found by the scan, origin 'original'), each with a perceptual hash
 * so provider copies of them are recognised. A hash comes from the cache when the file was
 * ingested, else from an earlier decode (table image_phashes, by content), else it is computed
 * now from the file itself with a reduced-scale decode and remembered. A file that cannot be
 * decoded takes part unhashed.
 */
export async function loadOriginals(s: Services, itemId: number, options: { compute: boolean }): Promise<Original[]> {
  const rows = await s.db
    .selectFrom('library_files')
    .leftJoin('image_phashes', 'image_phashes.sha256', 'library_files.sha256')
    .leftJoin('blobs', 'blobs.sha256', 'library_files.sha256')
    .select([
      'library_files.id',
      'library_files.path',
      'library_files.asset_type',
      'library_files.rank',
      'library_files.width',
      'library_files.height',
      'library_files.sha256',
      'image_phashes.phash as known',
      'image_phashes.computed_at as tried',
      'blobs.phash as blobPhash',
    ])
    .where('library_files.item_id', '=', itemId)
    .where('library_files.origin', '=', 'original')
    .where('library_files.role', '=', 'art')
    .orderBy('library_files.id')
    .execute();
  const out: Original[] = [];
  for (const row of rows) {
    if (!row.asset_type || !isAssetType(row.asset_type)) continue;
    let phash = row.blobPhash ?? row.known ?? null;
    if (!phash && row.tried === null && options.compute) phash = await hashOriginal(s, row.sha256, row.path);
    out.push({
      libraryFileId: row.id,
      assetType: row.asset_type,
      rank: row.rank,
      phash,
      path: row.path,
      width: row.width,
      height: row.height,
      hashed: phash !== null,
    });
  }
  return out;
}

async function hashOriginal(s: Services, sha: string, file: string): Promise<string | null> {
  // An unreachable file (a sleeping NAS) is tried again next time; only a bad image is remembered.
  if (!(await stat(file).then((st) => st.isFile(), () => false))) return null;
  let phash: string | null = null;
  let error: string | null = null;
  try {
    phash = await hashImage(file);
  } catch (err) {
    error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    s.log.child('select').warn('Could not hash an original image', { path: file, error });
  }
  await s.db
    .insertInto('image_phashes')
    .values({ sha256: sha, phash, error, computed_at: s.clock.now() })
    .onConflict((oc) => oc.column('sha256').doUpdateSet({ phash, error, computed_at: s.clock.now() }))
    .execute();
  return phash;
}
