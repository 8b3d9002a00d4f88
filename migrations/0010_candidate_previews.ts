import type { Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
/**
 * Candidates by preview image. A preview is a lease on its blob, so garbage collection asks of
 * every blob whether a live candidate previews it; without this index each question read the
 * whole candidates table, and a library with 48,000 blobs and 42,000 candidates spent minutes
 * (the daemon's housekeeping at start-up held its door shut meanwhile).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('candidates_preview').on('candidates').column('preview_sha').execute();
}
