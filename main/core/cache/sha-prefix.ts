import { ApiError } from '../../../shared/api/errors.ts';
import type { DbOrTx } from '../db/database.ts';

/** Shortest hash prefix accepted: 8 hex characters already tell 4 billion images apart. */
export const MIN_SHA_PREFIX = 8;

/**
 * The full SHA-256 of the one blob whose hash starts with `prefix` (the 12-character form the CLI
 * prints, or any ≥ 8). Throws bad_request for a malformed prefix, not_found for none, conflict
 * when several match. For the command line only: the API itself takes whole hashes.
 */
export async function resolveShaPrefix(db: DbOrTx, prefix: string): Promise<string> {
  const p = prefix.toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${MIN_SHA_PREFIX},64}$`).test(p)) {
    throw new ApiError(
      'bad_request',
      `${prefix} is not an image hash: give at least ${MIN_SHA_PREFIX} hex characters`,
      'sha256',
    );
  }
  // A range on the primary key (no LIKE, which SQLite would not index here); two rows tell "several".
  const rows = await db
    .selectFrom('blobs')
    .select('sha256')
    .where('sha256', '>=', p)
    .where('sha256', '<', `${p}g`)
    .orderBy('sha256')
    .limit(2)
    .execute();
  if (rows.length === 0) throw new ApiError('not_found', `No cached image ${prefix}`, 'sha256');
  if (rows.length > 1) {
    throw new ApiError(
      'conflict',
      `${prefix} matches several cached images (${rows.map((r) => r.sha256.slice(0, 16)).join(', ')}…); give more characters`,
      'sha256',
    );
  }
  return rows[0]!.sha256;
}
