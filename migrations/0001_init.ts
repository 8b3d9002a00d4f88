import { sql, type Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull()) // JSON
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('libraries')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('movies', 'tv')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('naming_style', 'text') // null: the global setting
    .addColumn('publish_mode', 'text') // null: the global setting
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('ok')) // ok | missing
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('last_scan_at', 'integer')
    .execute();

  await db.schema
    .createTable('items')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('parent_id', 'integer', (c) => c.references('items.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('movie', 'series', 'season', 'episode')`))
    .addColumn('folder', 'text', (c) => c.notNull()) // absolute folder holding the video (or disc root)
    .addColumn('video_path', 'text') // absolute path of the main video file or disc structure folder
    .addColumn('basename', 'text', (c) => c.notNull()) // video basename: published names derive from it
    .addColumn('layout', 'text', (c) => c.notNull()) // own-folder | shared-folder | disc
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('year', 'integer')
    .addColumn('sort_title', 'text')
    .addColumn('tmdb_id', 'integer')
    .addColumn('imdb_id', 'text')
    .addColumn('tvdb_id', 'integer')
    .addColumn('monitored', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('new', 'identified', 'needs_match', 'enriched', 'missing')`),
    )
    .addColumn('match_locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('match_choices', 'text') // JSON: top TMDB choices when needs_match
    .addColumn('error', 'text') // last error for the user (scan, NFO, provider)
    .addColumn('video_size', 'integer')
    .addColumn('video_mtime', 'integer')
    .addColumn('folder_signature', 'text') // cheap fingerprint of the folder listing, for rescans
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addColumn('scanned_at', 'integer')
    .addColumn('enriched_at', 'integer')
    .addColumn('enrich_after', 'integer') // earliest next enrichment (retry after failure / schedule)
    .addColumn('published_at', 'integer')
    .execute();
  await db.schema.createIndex('items_library').on('items').columns(['library_id', 'state']).execute();
  await db.schema.createIndex('items_video').on('items').column('video_path').execute();
  await db.schema.createIndex('items_folder').on('items').column('folder').execute();
  await db.schema.createIndex('items_tmdb').on('items').column('tmdb_id').execute();
  await db.schema.createIndex('items_imdb').on('items').column('imdb_id').execute();
  await db.schema.createIndex('items_title').on('items').column('title').execute();

  await db.schema
    .createTable('item_fields')
    .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull()) // JSON
    .addColumn('source', 'text', (c) => c.notNull()) // nfo | tmdb | user
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('item_fields_pk', ['item_id', 'field'])
    .execute();

  await db.schema
    .createTable('field_locks')
    .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('locked_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('field_locks_pk', ['item_id', 'field'])
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('ext', 'text', (c) => c.notNull()) // jpg | png | webp, from the real format
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('phash', 'text')
    .addColumn('area', 'text', (c) => c.notNull().defaultTo('assets')) // assets | previews
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('available')) // available | quarantined
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('verified_at', 'integer')
    .addColumn('unreferenced_since', 'integer') // set by GC when nothing points at it
    .execute();

  await db.schema
    .createTable('blob_sources')
    .addColumn('sha256', 'text', (c) => c.notNull().references('blobs.sha256').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull()) // tmdb | fanart | upload | original
    .addColumn('source', 'text', (c) => c.notNull()) // URL or local path
    .addColumn('added_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('blob_sources_pk', ['sha256', 'source'])
    .execute();

  await db.schema
    .createTable('candidates')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('asset_type', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_image_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('preview_url', 'text')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('language', 'text') // null = no language (textless)
    .addColumn('vote_average', 'real')
    .addColumn('vote_count', 'integer')
    .addColumn('likes', 'integer')
    .addColumn('extra', 'text') // JSON: provider details (disc type, season, region…)
    .addColumn('score', 'real')
    .addColumn('score_breakdown', 'text') // JSON
    .addColumn('preview_sha', 'text') // cached preview blob
    .addColumn('phash', 'text')
    .addColumn('hash_error', 'text')
    .addColumn('cluster_id', 'integer') // id of the best member of its look-alike cluster
    .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blob_sha', 'text') // full image, once downloaded
    .addColumn('download_error', 'text')
    .addColumn('seen_at', 'integer', (c) => c.notNull())
    .addColumn('gone_at', 'integer') // the provider no longer lists it
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('candidates_identity')
    .on('candidates')
    .columns(['item_id', 'asset_type', 'provider', 'provider_image_id'])
    .unique()
    .execute();
  await db.schema.createIndex('candidates_blob').on('candidates').column('blob_sha').execute();

  await db.schema
    .createTable('downloads')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('area', 'text', (c) => c.notNull()) // assets | previews
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('candidate_id', 'integer', (c) => c.references('candidates.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'available', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('blob_sha', 'text')
    .addColumn('requested_at', 'integer', (c) => c.notNull())
    .addColumn('finished_at', 'integer')
    .execute();
  await db.schema.createIndex('downloads_url').on('downloads').columns(['url', 'area']).unique().execute();
  await db.schema.createIndex('downloads_state').on('downloads').column('state').execute();

  await db.schema
    .createTable('library_files')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('item_id', 'integer', (c) => c.references('items.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull().unique()) // absolute
    .addColumn('role', 'text', (c) => c.notNull()) // art | nfo | actor
    .addColumn('asset_type', 'text')
    .addColumn('rank', 'integer')
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('original', 'published')`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('mtime', 'integer', (c) => c.notNull())
    .addColumn('published_at', 'integer')
    .addColumn('seen_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('library_files_item').on('library_files').column('item_id').execute();
  await db.schema.createIndex('library_files_sha').on('library_files').column('sha256').execute();

  await db.schema
    .createTable('slots')
    .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('asset_type', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blob_sha', 'text') // the chosen image (for originals: the library file's hash)
    .addColumn('candidate_id', 'integer', (c) => c.references('candidates.id').onDelete('set null'))
    .addColumn('library_file_id', 'integer', (c) => c.references('library_files.id').onDelete('set null'))
    .addColumn('chosen_by', 'text', (c) => c.notNull().check(sql`chosen_by in ('auto', 'user', 'original')`))
    .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('slots_pk', ['item_id', 'asset_type', 'rank'])
    .execute();
  await db.schema.createIndex('slots_blob').on('slots').column('blob_sha').execute();

  await db.schema
    .createTable('recycle')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('original_path', 'text', (c) => c.notNull()) // where it was (library path or cache path)
    .addColumn('stored_path', 'text', (c) => c.notNull()) // where it is now, under <data>/recycle
    .addColumn('sha256', 'text')
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.references('items.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull()) // library-file | blob
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .addColumn('restored_at', 'integer')
    .addColumn('purged_at', 'integer')
    .execute();
  await db.schema.createIndex('recycle_sha').on('recycle').column('sha256').execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.references('items.id').onDelete('cascade'))
    .addColumn('library_id', 'integer', (c) => c.references('libraries.id').onDelete('cascade'))
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}')) // JSON
    .addColumn('coalesce_key', 'text')
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('queued', 'running', 'done', 'failed', 'cancelled')`),
    )
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0)) // higher runs first
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('run_after', 'integer', (c) => c.notNull())
    .addColumn('progress_done', 'integer')
    .addColumn('progress_total', 'integer')
    .addColumn('message', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'integer')
    .addColumn('finished_at', 'integer')
    .execute();
  await db.schema.createIndex('jobs_pick').on('jobs').columns(['state', 'priority', 'run_after']).execute();
  await sql`create unique index jobs_coalesce on jobs (coalesce_key) where state = 'queued'`.execute(db);

  await db.schema
    .createTable('provider_cache')
    .addColumn('key', 'text', (c) => c.primaryKey()) // provider + URL without credentials
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('etag', 'text')
    .addColumn('fetched_at', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .execute();
}
