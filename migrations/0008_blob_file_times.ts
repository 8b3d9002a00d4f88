import type { Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
/**
 * `blobs.file_mtime`: the cache file's mtime when its bytes were last proven to match its hash.
 * In hardlink mode a published picture and its cache file are one file, so an edit made to the
 * picture in place changes the cache too. A blob whose file no longer has this time (or its
 * size) is hashed again before anything is published from it. Null until first proven.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('blobs').addColumn('file_mtime', 'real').execute();
}

