import { lstat } from 'node:fs/promises';
import { sql, type ExpressionBuilder, type SqlBool, type Expression } from 'kysely';
import type { z } from 'zod';
import { ASSET_TYPES, isAssetType, type AssetType } from '../../../shared/asset-types.ts';
import type {
  ItemDetail,
  ItemKind,
  ItemList,
  ItemState,
  ItemSummary,
  LibraryFileView,
  SlotView,
  itemsListParams,
} from '../../../shared/api/library.ts';
import type { MovieLayout } from '../../../shared/naming.ts';
import type { DbOrTx } from '../db/database.ts';
import { getFields, getLockedFields } from '../db/fields-repo.ts';
import type { Database, ItemRow, LibraryFileRow } from '../db/schema.ts';
import { foldForSearch, SEARCH_FOLD_SQL, TITLE_ORDER_SQL } from '../db/text-fold.ts';

/** The item filter of `items-list` (defaults applied). */
export type ItemFilter = z.output<typeof itemsListParams>;
/** What a caller may pass (defaults optional). */
export type ItemFilterInput = z.input<typeof itemsListParams>;

/** A sort title (an NFO's `sorttitle`, e.g. "Star Wars 4") stands in for the title when set. */
const titleOrder = (alias: string) => `${TITLE_ORDER_SQL}(coalesce(nullif(${alias}.sort_title, ''), ${alias}.title))`;

const SORT_COLUMNS = {
  title: sql.raw(titleOrder('i')),
  year: sql`i.year`,
  added: sql`i.created_at`,
  updated: sql`i.updated_at`,
  state: sql`i.state`,
} as const;

/** The art shown as "has art": rank 0 of these types, with an image. */
const ESSENTIAL_TYPES: readonly AssetType[] = ['poster', 'fanart'];

type Eb = ExpressionBuilder<Database & { i: Database['items'] }, 'i'>;

function hasArt(eb: Eb, type: AssetType): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('slots as s')
      .select(sql`1`.as('one'))
      .whereRef('s.item_id', '=', 'i.id')
      .where('s.asset_type', '=', type)
      .where('s.rank', '=', 0)
      .where('s.blob_sha', 'is not', null),
  );
}

function anyLock(eb: Eb): Expression<SqlBool> {
  return eb.or([
    eb('i.match_locked', '=', 1),
    eb.exists(
      eb
        .selectFrom('field_locks as fl')
        .select(sql`1`.as('one'))
        .whereRef('fl.item_id', '=', 'i.id'),
    ),
    eb.exists(
      eb
        .selectFrom('slots as sl')
        .select(sql`1`.as('one'))
        .whereRef('sl.item_id', '=', 'i.id')
        .where('sl.locked', '=', 1),
    ),
  ]);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function where(eb: Eb, f: Partial<ItemFilter>): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [eb('i.kind', '=', 'movie')];
  if (f.libraryId !== undefined) parts.push(eb('i.library_id', '=', f.libraryId));
  if (f.state !== undefined) parts.push(eb('i.state', '=', f.state));
  if (f.monitored !== undefined) parts.push(eb('i.monitored', '=', f.monitored ? 1 : 0));
  if (f.hasErrors !== undefined) {
    const any = eb.or([eb('i.error', 'is not', null), eb('i.enrich_error', 'is not', null)]);
    parts.push(f.hasErrors ? any : eb.not(any));
  }
  if (f.missingArt !== undefined) {
    const all = eb.and(ESSENTIAL_TYPES.map((t) => hasArt(eb, t)));
    parts.push(f.missingArt ? eb.not(all) : all);
  }
  if (f.missingType !== undefined) parts.push(eb.not(hasArt(eb, f.missingType)));
  if (f.locked !== undefined) parts.push(f.locked ? anyLock(eb) : eb.not(anyLock(eb)));
  const q = f.search?.trim();
  if (q) {
    const titleHas = (text: string) =>
      sql<SqlBool>`${sql.raw(SEARCH_FOLD_SQL)}(i.title) like ${`%${escapeLike(foldForSearch(text))}%`} escape '\\'`;
    const or: Expression<SqlBool>[] = [titleHas(q)];
    if (/^tt\d{5,}$/i.test(q)) or.push(eb('i.imdb_id', '=', q.toLowerCase()));
    if (/^\d{1,9}$/.test(q)) or.push(eb('i.tmdb_id', '=', Number(q)));
    // A year finds the movies of that year; after words ("heat 1995", "Heat (1995)") it narrows them.
    const year = /^(.*?)[\s(]*\b((?:18|19|20)\d{2})\)?$/.exec(q);
    if (year) {
      const rest = year[1]!.trim();
      const ofYear = eb('i.year', '=', Number(year[2]));
      or.push(rest ? eb.and([ofYear, titleHas(rest)]) : ofYear);
    }
    parts.push(eb.or(or));
  }
  return eb.and(parts);
}

interface SummaryExtras {
  slot_info: string | null;
  field_lock_count: number | null;
}

/** Rows with their slot digest and lock count, for the page only. */
function toSummary(row: ItemRow & SummaryExtras): ItemSummary {
  const art = Object.fromEntries(ASSET_TYPES.map((t) => [t, false])) as Record<AssetType, boolean>;
  let posterSha: string | null = null;
  let lockedSlots = 0;
  for (const entry of row.slot_info ? row.slot_info.split(',') : []) {
    const [type, rank, sha, locked] = entry.split(':');
    if (locked === '1') lockedSlots++;
    if (rank !== '0' || !type || !isAssetType(type) || !sha) continue;
    art[type] = true;
    if (type === 'poster') posterSha = sha;
  }
  return {
    id: row.id,
    libraryId: row.library_id,
    kind: row.kind as ItemKind,
    title: row.title,
    year: row.year,
    state: row.state as ItemState,
    monitored: row.monitored === 1,
    tmdbId: row.tmdb_id,
    imdbId: row.imdb_id,
    folder: row.folder,
    basename: row.basename,
    layout: row.layout as MovieLayout,
    error: problemsOf(row),
    posterSha,
    art,
    locked: { fields: Number(row.field_lock_count ?? 0), slots: lockedSlots, match: row.match_locked === 1 },
    updatedAt: row.updated_at,
  };
}

/** What the user is told is wrong with an item: the scan's problems, then enriching's. */
export function problemsOf(row: Pick<ItemRow, 'error' | 'enrich_error'>): string | null {
  if (row.error && row.enrich_error) return `${row.error} · ${row.enrich_error}`;
  return row.error ?? row.enrich_error;
}

const SLOT_DIGEST = sql<
  string | null
>`(select group_concat(s.asset_type || ':' || s.rank || ':' || ifnull(s.blob_sha, '') || ':' || s.locked, ',') from slots s where s.item_id = page.id)`;
const LOCK_COUNT = sql<number>`(select count(*) from field_locks fl where fl.item_id = page.id)`;

/**
 * One page of items matching the filter, with the total. One statement: the filter and sort
 * run over the items table (indexed columns), the per-item slot digest only for the page.
 */
export async function listItems(db: DbOrTx, filterInput: ItemFilterInput): Promise<ItemList> {
  const f: ItemFilter = {
    sort: 'title',
    order: 'asc',
    offset: 0,
    limit: 100,
    ...filterInput,
  } as ItemFilter;
  const order = f.order === 'desc' ? sql`desc` : sql`asc`;
  const sortBy = SORT_COLUMNS[f.sort];
  const rows = await db
    .with('page', (qb) =>
      qb
        .selectFrom('items as i')
        .selectAll('i')
        .select(sql<number>`count(*) over ()`.as('total_count'))
        .where((eb) => where(eb as unknown as Eb, f))
        .orderBy(sql`${sortBy} ${order}`)
        .orderBy('i.id')
        .limit(f.limit)
        .offset(f.offset),
    )
    .selectFrom('page')
    .selectAll('page')
    .select([SLOT_DIGEST.as('slot_info'), LOCK_COUNT.as('field_lock_count')])
    .orderBy(sql`${sql.raw(sortSql(f.sort))} ${order}`)
    .orderBy('page.id')
    .execute();
  let total = Number(rows[0]?.total_count ?? 0);
  if (rows.length === 0 && f.offset > 0) {
    const c = await db
      .selectFrom('items as i')
      .select(sql<number>`count(*)`.as('n'))
      .where((eb) => where(eb as unknown as Eb, f))
      .executeTakeFirstOrThrow();
    total = Number(c.n);
  }
  return { total, items: rows.map((r) => toSummary(r as unknown as ItemRow & SummaryExtras)) };
}

function sortSql(sort: ItemFilter['sort']): string {
  switch (sort) {
    case 'title':
      return titleOrder('page');
    case 'year':
      return 'page.year';
    case 'added':
      return 'page.created_at';
    case 'updated':
      return 'page.updated_at';
    case 'state':
      return 'page.state';
  }
}

/** One item's summary (null when it does not exist). */
export async function getItemSummary(db: DbOrTx, id: number): Promise<ItemSummary | null> {
  const row = await db
    .with('page', (qb) => qb.selectFrom('items').selectAll().where('id', '=', id))
    .selectFrom('page')
    .selectAll('page')
    .select([SLOT_DIGEST.as('slot_info'), LOCK_COUNT.as('field_lock_count')])
    .executeTakeFirst();
  return row ? toSummary(row as unknown as ItemRow & SummaryExtras) : null;
}

/** Everything about one item (null when it does not exist). */
export async function getItem(db: DbOrTx, id: number): Promise<ItemDetail | null> {
  const summary = await getItemSummary(db, id);
  if (!summary) return null;
  const [row, fields, lockedFields, slots, files] = await Promise.all([
    db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    getFields(db, id),
    getLockedFields(db, id),
    db.selectFrom('slots').selectAll().where('item_id', '=', id).orderBy('asset_type').orderBy('rank').execute(),
    db.selectFrom('library_files').selectAll().where('item_id', '=', id).orderBy('path').execute(),
  ]);
  return {
    ...summary,
    sortTitle: row.sort_title,
    videoPath: row.video_path,
    videoSize: row.video_size,
    createdAt: row.created_at,
    scannedAt: row.scanned_at,
    enrichedAt: row.enriched_at,
    publishedAt: row.published_at,
    fields,
    lockedFields,
    slots: slots
      .filter((s) => isAssetType(s.asset_type))
      .map((s): SlotView => ({
        assetType: s.asset_type as AssetType,
        rank: s.rank,
        blobSha: s.blob_sha,
        candidateId: s.candidate_id,
        libraryFileId: s.library_file_id,
        chosenBy: s.chosen_by,
        locked: s.locked === 1,
        updatedAt: s.updated_at,
      })),
    libraryFiles: (await Promise.all(files.map(onDisk))).map(([f, state]): LibraryFileView => ({
      id: f.id,
      path: f.path,
      role: f.role,
      assetType: f.asset_type && isAssetType(f.asset_type) ? f.asset_type : null,
      rank: f.rank,
      origin: f.origin,
      sha256: f.sha256,
      bytes: f.bytes,
      width: f.width,
      height: f.height,
      mtime: f.mtime,
      publishedAt: f.published_at,
      seenAt: f.seen_at,
      onDisk: state,
    })),
  };
}

/** A recorded library file against the disk now (one lstat; never follows or reads it). */
async function onDisk(f: LibraryFileRow): Promise<[LibraryFileRow, LibraryFileView['onDisk']]> {
  const st = await lstat(f.path).catch(() => null);
  if (!st?.isFile()) return [f, 'missing'];
  // The publisher records whole milliseconds, the scanner the exact time: compare at the coarser.
  const sameTime = Math.round(st.mtimeMs) === Math.round(f.mtime);
  return [f, st.size === f.bytes && sameTime ? 'present' : 'changed'];
}

/** Monitors or unmonitors items; returns how many rows changed. */
export async function setMonitored(
  db: DbOrTx,
  ids: readonly number[],
  monitored: boolean,
  now: number,
): Promise<number[]> {
  const changed: number[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .updateTable('items')
      .set({ monitored: monitored ? 1 : 0, updated_at: now })
      .where('id', 'in', ids.slice(i, i + 500))
      .where('monitored', '=', monitored ? 0 : 1)
      .returning('id')
      .execute();
    changed.push(...rows.map((r) => r.id));
  }
  return changed;
}
