import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { ApiError } from '../../../shared/api/errors.ts';
import type { LibraryKind, LibraryView } from '../../../shared/api/library.ts';
import { NAMING_STYLES, PUBLISH_MODES, type NamingStyle, type PublishMode } from '../../../shared/settings.ts';
import type { Db, DbOrTx } from '../db/database.ts';
import type { LibraryRow } from '../db/schema.ts';

/** Library rows as the API shows them, counts included (one grouped query). */
export async function listLibraries(db: DbOrTx, id?: number): Promise<LibraryView[]> {
  let q = db
    .selectFrom('libraries as l')
    .selectAll('l')
    .select((eb) => [
      eb
        .selectFrom('items')
        .select(sql<number>`count(*)`.as('n'))
        .whereRef('items.library_id', '=', 'l.id')
        .as('item_count'),
      eb
        .selectFrom('items')
        .select(sql<number>`count(*)`.as('n'))
        .whereRef('items.library_id', '=', 'l.id')
        .where('items.state', '=', 'missing')
        .as('missing_count'),
      eb
        .selectFrom('items')
        .select(sql<number>`count(*)`.as('n'))
        .whereRef('items.library_id', '=', 'l.id')
        .where((w) => w.or([w('items.error', 'is not', null), w('items.enrich_error', 'is not', null)]))
        .as('error_count'),
    ])
    .orderBy('l.id');
  if (id !== undefined) q = q.where('l.id', '=', id);
  const rows = await q.execute();
  return rows.map((r) =>
    toLibraryView(r, Number(r.item_count ?? 0), Number(r.missing_count ?? 0), Number(r.error_count ?? 0)),
  );
}

export async function getLibraryRow(db: DbOrTx, id: number): Promise<LibraryRow> {
  const row = await db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No library with id ${id}`, 'id');
  return row;
}

function toLibraryView(row: LibraryRow, itemCount: number, missingCount: number, errorCount: number): LibraryView {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    kind: row.kind,
    namingStyle: (NAMING_STYLES as readonly string[]).includes(row.naming_style ?? '')
      ? (row.naming_style as NamingStyle)
      : null,
    publishMode: (PUBLISH_MODES as readonly string[]).includes(row.publish_mode ?? '')
      ? (row.publish_mode as PublishMode)
      : null,
    state: row.state,
    createdAt: row.created_at,
    lastScanAt: row.last_scan_at,
    itemCount,
    missingCount,
    errorCount,
  };
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/**
 * Checks a folder the user wants as a library: absolute, an existing folder, not inside or
 * around another library (a movie would belong to two). Returns its real path.
 */
export function validateLibraryPath(input: string, others: readonly LibraryRow[], dataDir: string): string {
  if (input.includes('\u0000')) throw new ApiError('bad_request', 'The path holds a NUL character', 'path');
  if (!path.isAbsolute(input)) throw new ApiError('bad_request', `The path must be absolute: ${input}`, 'path');
  let real: string;
  try {
    real = realpathSync(input);
    if (!statSync(real).isDirectory()) throw new ApiError('bad_request', `Not a folder: ${input}`, 'path');
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ApiError(
      'bad_request',
      code === 'ENOENT' ? `No such folder: ${input}` : `The folder cannot be used (${code ?? String(err)}): ${input}`,
      'path',
    );
  }
  for (const o of others) {
    if (o.path === real) throw new ApiError('conflict', `${real} is already library ${o.id} (${o.name})`, 'path');
    if (inside(real, o.path) || inside(o.path, real)) {
      throw new ApiError('conflict', `${real} overlaps library ${o.id} (${o.path}); libraries may not nest`, 'path');
    }
  }
  let realData = dataDir;
  try {
    realData = realpathSync(dataDir);
  } catch {
    // The data dir exists once the engine runs; fall back to the given path.
  }
  if (inside(realData, real) || inside(real, realData)) {
    throw new ApiError('conflict', `${real} overlaps Posterity's data folder ${realData}`, 'path');
  }
  return real;
}

export async function insertLibrary(
  db: DbOrTx,
  realPath: string,
  kind: LibraryKind,
  name: string | undefined,
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('libraries')
    .values({
      path: realPath,
      kind,
      name: name ?? (path.basename(realPath) || realPath),
      naming_style: null,
      publish_mode: null,
      created_at: now,
      last_scan_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Every path Posterity keeps under a library root, moved from `from` to `to` in one transaction:
 * the library, its items (folder, video), the files it knows there (originals and what it
 * published), its folder memory, and where recycled files of its items go back to. After a disk
 * swap the items, their choices and locks stay what they were; a rescan and a rebuild follow.
 */
export async function relocateLibraryPaths(db: Db, libraryId: number, from: string, to: string): Promise<void> {
  const under = (column: string) =>
    sql`(${sql.ref(column)} = ${from} or substr(${sql.ref(column)}, 1, ${from.length + 1}) = ${from + path.sep})`;
  const moved = (column: string) => sql`${to} || substr(${sql.ref(column)}, ${from.length + 1})`;
  const itemsOfLibrary = sql`(select id from items where library_id = ${libraryId})`;
  await db.transaction().execute(async (trx) => {
    await sql`update items set folder = ${moved('folder')} where library_id = ${libraryId} and ${under('folder')}`.execute(
      trx,
    );
    await sql`update items set video_path = ${moved('video_path')}
      where library_id = ${libraryId} and video_path is not null and ${under('video_path')}`.execute(trx);
    await sql`update library_files set path = ${moved('path')}
      where item_id in ${itemsOfLibrary} and ${under('path')}`.execute(trx);
    await sql`update scan_folders set path = ${moved('path')} where library_id = ${libraryId} and ${under('path')}`.execute(
      trx,
    );
    await sql`update recycle set original_path = ${moved('original_path')}
      where item_id in ${itemsOfLibrary} and ${under('original_path')}`.execute(trx);
    await trx.updateTable('libraries').set({ path: to }).where('id', '=', libraryId).execute();
  });
}
