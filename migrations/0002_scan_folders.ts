import type { Kysely } from 'kysely';

// Frozen in time: migrations use Kysely<any>, never the app's Database type.
/**
 * What the scanner remembers about each folder it walked, so a rescan can skip a folder whose
 * listing cannot have changed (same inode, mtime and ctime for it and its art sub-folders) with
 * one stat instead of a directory read. Plus the video file's inode, which survives a move or
 * rename on the same filesystem and so lets a moved movie keep its identity.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scan_folders')
    .addColumn('path', 'text', (c) => c.primaryKey()) // absolute
    .addColumn('library_id', 'integer', (c) => c.notNull().references('libraries.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull()) // container | movies | disc | unreadable
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('subdirs', 'text', (c) => c.notNull().defaultTo('[]')) // JSON: child folder names walked
    .addColumn('aux', 'text', (c) => c.notNull().defaultTo('[]')) // JSON: art sub-folders (extrafanart, .actors)
    .addColumn('error', 'text')
    .addColumn('scanned_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scan_folders_library').on('scan_folders').column('library_id').execute();

  await db.schema.alterTable('items').addColumn('video_dev', 'integer').execute();
  await db.schema.alterTable('items').addColumn('video_ino', 'integer').execute();
}
