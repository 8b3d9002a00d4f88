import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { isFieldName, type ItemFields } from '../../../shared/fields.ts';
import type { ItemState } from '../../../shared/api/library.ts';
import type { Db } from '../db/database.ts';
import { immediateTransaction } from '../db/write-lock.ts';
import type { FoundFile, KnownFile, PrevFolder, WalkError } from './walk.ts';

/*
 * The scanner's database side. A scan writes thousands of rows, so it uses prepared statements
 * on the raw SQLite handle inside one transaction per batch, holding kysely's connection lock
 * so no kysely transaction of another domain can interleave. Field writes follow the same rule
 * as fields-repo's writeFields for automated sources: locked fields are skipped, title, year
 * and sort title are mirrored onto the item row.
 */

export interface ExistingItem {
  id: number;
  folder: string;
  videoPath: string | null;
  basename: string;
  layout: string;
  title: string;
  year: number | null;
  tmdbId: number | null;
  imdbId: string | null;
  videoSize: number | null;
  videoMtime: number | null;
  videoDev: number | null;
  videoIno: number | null;
  state: ItemState;
  matchLocked: boolean;
  hasMatchChoices: boolean;
  enriched: boolean;
  error: string | null;
}

/** What every scan needs of every item: enough to tell present, vanished and protected apart. */
export interface ItemRef {
  id: number;
  folder: string;
  videoPath: string | null;
  state: ItemState;
  error: string | null;
}

/**
 * Files recorded before, looked up by path as the walker meets them (a quiet rescan meets none,
 * so nothing is loaded up front). `none` means the library has no item yet, so no lookup can hit.
 */
export interface KnownFiles {
  get(path: string): KnownFile | undefined;
  readonly none: boolean;
}

export interface NewItemRow {
  libraryId: number;
  folder: string;
  videoPath: string;
  basename: string;
  layout: string;
  title: string;
  year: number | null;
  tmdbId: number | null;
  imdbId: string | null;
  state: ItemState;
  error: string | null;
  videoSize: number | null;
  videoMtime: number | null;
  videoDev: number | null;
  videoIno: number | null;
  signature: string;
  now: number;
}

export interface PlaceUpdate {
  id: number;
  folder: string;
  videoPath: string;
  basename: string;
  layout: string;
  state: ItemState;
  error: string | null;
  videoSize: number | null;
  videoMtime: number | null;
  videoDev: number | null;
  videoIno: number | null;
  signature: string;
  now: number;
}

interface SlotRowLite {
  asset_type: string;
  rank: number;
  chosen_by: string;
  locked: number;
  blob_sha: string | null;
}

const NONE: never[] = [];

const ITEM_COLUMNS = `select id, folder, video_path, basename, layout, title, year, tmdb_id, imdb_id, video_size, video_mtime,
  video_dev, video_ino, state, match_locked, match_choices is not null as has_choices, enriched_at is not null as enriched, error
  from items`;

function toExisting(r: Record<string, unknown>): ExistingItem {
  return {
    id: r.id as number,
    folder: r.folder as string,
    videoPath: r.video_path as string | null,
    basename: r.basename as string,
    layout: r.layout as string,
    title: r.title as string,
    year: r.year as number | null,
    tmdbId: r.tmdb_id as number | null,
    imdbId: r.imdb_id as string | null,
    videoSize: r.video_size as number | null,
    videoMtime: r.video_mtime as number | null,
    videoDev: r.video_dev as number | null,
    videoIno: r.video_ino as number | null,
    state: r.state as ItemState,
    matchLocked: r.match_locked === 1,
    hasMatchChoices: r.has_choices === 1,
    enriched: r.enriched === 1,
    error: r.error as string | null,
  };
}

/** When a movie has no NFO title, the name parsed from the file decides the row's title. */
const MIRRORED: Readonly<Record<string, 'title' | 'year' | 'sort_title'>> = {
  title: 'title',
  year: 'year',
  sortTitle: 'sort_title',
};

export class ScanStore {
  readonly #sqlite: BetterSqlite3.Database;
  readonly #db: Db;
  readonly #st;

  constructor(db: Db, sqlite: BetterSqlite3.Database) {
    this.#db = db;
    this.#sqlite = sqlite;
    const p = (sql: string) => sqlite.prepare(sql);
    this.#st = {
      insertItem:
        p(`insert into items (library_id, kind, folder, video_path, basename, layout, title, year, tmdb_id, imdb_id,
          monitored, state, match_locked, error, video_size, video_mtime, folder_signature, video_dev, video_ino,
          created_at, updated_at, scanned_at)
        values (?, 'movie', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updatePlace:
        p(`update items set folder = @folder, video_path = @videoPath, basename = @basename, layout = @layout,
          state = @state, error = @error, video_size = @videoSize, video_mtime = @videoMtime, folder_signature = @signature,
          video_dev = @videoDev, video_ino = @videoIno, updated_at = @now, scanned_at = @now where id = @id`),
      setIds: p(
        'update items set tmdb_id = ?, imdb_id = ?, state = ?, updated_at = ? where id = ? and match_locked = 0',
      ),
      setNameTitle: p('update items set title = ?, year = ? where id = ?'),
      setMissing: p("update items set state = 'missing', updated_at = ? where id = ? and state != 'missing'"),
      setError: p('update items set error = ?, updated_at = ? where id = ?'),
      itemRefs: p(
        "select id, folder, video_path, state, error from items where library_id = ? and kind = 'movie'",
      ).raw(),
      knownFile: p(
        `select lf.sha256, lf.bytes, lf.mtime, lf.width, lf.height, lf.origin from library_files lf
         join items i on i.id = lf.item_id where lf.path = ? and i.library_id = ?`,
      ),
      knownFileList: p(
        `select lf.path, lf.sha256, lf.bytes, lf.mtime, lf.width, lf.height, lf.origin from library_files lf
         join items i on i.id = lf.item_id where i.library_id = ?`,
      ),
      lockedFields: p('select field from field_locks where item_id = ?').pluck(),
      hasField: p('select 1 from item_fields where item_id = ? and field = ?').pluck(),
      insertField: p(`insert into item_fields (item_id, field, value, source, updated_at) values (?, ?, ?, 'nfo', ?)`),
      insertOriginalSlot:
        p(`insert into slots (item_id, asset_type, rank, blob_sha, candidate_id, library_file_id, chosen_by, locked, updated_at)
        values (?, ?, ?, ?, null, ?, 'original', 0, ?)`),
      upsertField: p(`insert into item_fields (item_id, field, value, source, updated_at) values (?, ?, ?, 'nfo', ?)
        on conflict (item_id, field) do update set value = excluded.value, source = excluded.source, updated_at = excluded.updated_at`),
      insertFile:
        p(`insert into library_files (item_id, path, role, asset_type, rank, origin, sha256, bytes, width, height, mtime, seen_at)
        values (?, ?, ?, ?, ?, 'original', ?, ?, ?, ?, ?, ?)`),
      fileByPath: p('select id, origin from library_files where path = ?'),
      touchFile: p('update library_files set seen_at = ? where id = ?'),
      upsertFile:
        p(`insert into library_files (item_id, path, role, asset_type, rank, origin, sha256, bytes, width, height, mtime, seen_at)
        values (?, ?, ?, ?, ?, 'original', ?, ?, ?, ?, ?, ?)
        on conflict (path) do update set item_id = excluded.item_id, role = excluded.role, asset_type = excluded.asset_type,
          rank = excluded.rank, origin = 'original', sha256 = excluded.sha256, bytes = excluded.bytes, width = excluded.width,
          height = excluded.height, mtime = excluded.mtime, seen_at = excluded.seen_at
        returning id`),
      publishedLike: p(
        "select id, path from library_files where item_id = ? and origin = 'published' and sha256 = ? and role = ?",
      ),
      relocateFile: p('update library_files set path = ?, mtime = ?, seen_at = ? where id = ?'),
      originalFilesOf: p("select id, path from library_files where item_id = ? and origin = 'original'"),
      deleteFile: p('delete from library_files where id = ?'),
      originalCount: p("select count(*) from library_files where item_id = ? and origin = 'original'").pluck(),
      slotsOf: p('select asset_type, rank, chosen_by, locked, blob_sha from slots where item_id = ?'),
      upsertOriginalSlot:
        p(`insert into slots (item_id, asset_type, rank, blob_sha, candidate_id, library_file_id, chosen_by, locked, updated_at)
        values (?, ?, ?, ?, null, ?, 'original', 0, ?)
        on conflict (item_id, asset_type, rank) do update set blob_sha = excluded.blob_sha, candidate_id = null,
          library_file_id = excluded.library_file_id, updated_at = excluded.updated_at
        where slots.chosen_by = 'original' and slots.locked = 0`),
      deleteOriginalSlot: p(
        "delete from slots where item_id = ? and asset_type = ? and rank = ? and chosen_by = 'original' and locked = 0",
      ),
      blobAvailable: p("select 1 from blobs where sha256 = ? and state = 'available'").pluck(),
      upsertFolder:
        p(`insert into scan_folders (path, library_id, role, signature, subdirs, aux, files, problems, error, scanned_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (path) do update set library_id = excluded.library_id, role = excluded.role, signature = excluded.signature,
          subdirs = excluded.subdirs, aux = excluded.aux, files = excluded.files, problems = excluded.problems,
          error = excluded.error, scanned_at = excluded.scanned_at`),
      deleteFolder: p('delete from scan_folders where path = ?'),
    };
  }

  /** Runs `fn` in one transaction while holding kysely's connection. */
  async batch<T>(fn: () => T): Promise<T> {
    return this.#db.connection().execute(async () => immediateTransaction(this.#sqlite, fn));
  }

  // ---- reads at the start of a scan ----

  loadItemRefs(libraryId: number): ItemRef[] {
    const rows = this.#st.itemRefs.all(libraryId) as unknown[][];
    return rows.map((r) => ({
      id: r[0] as number,
      folder: r[1] as string,
      videoPath: r[2] as string | null,
      state: r[3] as ItemState,
      error: r[4] as string | null,
    }));
  }

  /** Whole rows of these items (any order). */
  loadItemsById(ids: readonly number[]): ExistingItem[] {
    const out: ExistingItem[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.#sqlite
        .prepare(`${ITEM_COLUMNS} where id in (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as Record<string, unknown>[];
      out.push(...rows.map(toExisting));
    }
    return out;
  }

  /** Whole rows of items that share an id, an inode or a size with one of these movies. */
  loadItemsByIdentity(
    libraryId: number,
    movies: readonly {
      tmdbId: number | null;
      imdbId: string | null;
      videoIno: number | null;
      videoSize: number | null;
    }[],
  ): ExistingItem[] {
    const list = (xs: (string | number | null)[]) => [...new Set(xs.filter((x): x is string | number => x !== null))];
    const tmdb = list(movies.map((m) => m.tmdbId));
    const imdb = list(movies.map((m) => m.imdbId));
    const ino = list(movies.map((m) => m.videoIno));
    const size = list(movies.map((m) => (m.videoSize ? m.videoSize : null)));
    const marks = (xs: unknown[]) => (xs.length ? xs.map(() => '?').join(',') : 'null');
    const rows = this.#sqlite
      .prepare(
        `${ITEM_COLUMNS} where library_id = ? and (tmdb_id in (${marks(tmdb)}) or imdb_id in (${marks(imdb)}) or video_ino in (${marks(ino)}) or video_size in (${marks(size)}))`,
      )
      .all(libraryId, ...tmdb, ...imdb, ...ino, ...size) as Record<string, unknown>[];
    return rows.map(toExisting);
  }

  loadFolders(libraryId: number): Map<string, PrevFolder> {
    const rows = this.#sqlite
      .prepare('select path, role, signature, subdirs, aux, files, problems from scan_folders where library_id = ?')
      .raw()
      .all(libraryId) as [string, PrevFolder['role'], string, string, string, string, string][];
    const map = new Map<string, PrevFolder>();
    const list = <T>(json: string): T[] => (json === '[]' ? NONE : (JSON.parse(json) as T[]));
    for (const [path, role, signature, subdirs, aux, files, problems] of rows)
      map.set(path, {
        role,
        signature,
        subdirs: list(subdirs),
        aux: list(aux),
        files: list(files),
        problems: list(problems),
      });
    return map;
  }

  knownFiles(libraryId: number, none: boolean): KnownFiles {
    const st = this.#st.knownFile;
    return {
      none,
      get: (path) => {
        if (none) return undefined;
        const row = st.get(path, libraryId) as KnownFile | undefined;
        return row;
      },
    };
  }

  /** Every file recorded in the library, for walk threads (which cannot ask the database). */
  knownFileList(libraryId: number): [string, KnownFile][] {
    const rows = this.#st.knownFileList.all(libraryId) as (KnownFile & { path: string })[];
    return rows.map(({ path, ...file }) => [path, file]);
  }

  // ---- writes, inside batch() ----

  insertItem(r: NewItemRow): number {
    // Positional parameters: binding by name costs a property lookup per column, per row.
    return Number(
      this.#st.insertItem.run(
        r.libraryId,
        r.folder,
        r.videoPath,
        r.basename,
        r.layout,
        r.title,
        r.year,
        r.tmdbId,
        r.imdbId,
        r.state,
        r.error,
        r.videoSize,
        r.videoMtime,
        r.signature,
        r.videoDev,
        r.videoIno,
        r.now,
        r.now,
        r.now,
      ).lastInsertRowid,
    );
  }

  updatePlace(row: PlaceUpdate): void {
    this.#st.updatePlace.run(row);
  }

  setIds(id: number, tmdbId: number | null, imdbId: string | null, state: ItemState, now: number): void {
    this.#st.setIds.run(tmdbId, imdbId, state, now, id);
  }

  /** Title and year from the file name, for items whose title no NFO or provider has set. */
  setNameTitle(id: number, title: string, year: number | null): void {
    if (this.#st.hasField.get(id, 'title') !== undefined) return;
    const locked = new Set(this.#st.lockedFields.all(id) as string[]);
    if (locked.has('title')) return;
    this.#st.setNameTitle.run(title, year, id);
  }

  setMissing(id: number, now: number): boolean {
    return this.#st.setMissing.run(now, id).changes > 0;
  }

  setError(id: number, error: string | null, now: number): void {
    this.#st.setError.run(error, now, id);
  }

  /**
   * NFO fields, skipping locked ones; mirrors title/year/sort title onto the row. A `fresh` item
   * (inserted in this scan, with its NFO title and year) has no locks and no fields yet.
   */
  writeNfoFields(id: number, fields: ItemFields, now: number, fresh: boolean): void {
    if (fresh) {
      for (const [name, value] of Object.entries(fields)) {
        if (value !== undefined && isFieldName(name)) this.#st.insertField.run(id, name, JSON.stringify(value), now);
      }
      if (fields.sortTitle) this.#mirror(['sort_title']).run({ sort_title: fields.sortTitle, now, id });
      return;
    }
    const locked = new Set(this.#st.lockedFields.all(id) as string[]);
    const mirror: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined || !isFieldName(name) || locked.has(name)) continue;
      this.#st.upsertField.run(id, name, JSON.stringify(value), now);
      const column = MIRRORED[name];
      if (column) mirror[column] = value;
    }
    const cols = Object.keys(mirror).sort();
    if (cols.length > 0) this.#mirror(cols).run({ ...mirror, now, id });
  }

  readonly #mirrors = new Map<string, BetterSqlite3.Statement>();

  /** `update items set <mirrored columns>`; column names come from MIRRORED, never from input. */
  #mirror(cols: string[]): BetterSqlite3.Statement {
    const key = cols.join(',');
    let st = this.#mirrors.get(key);
    if (!st) {
      st = this.#sqlite.prepare(
        `update items set ${cols.map((c) => `${c} = @${c}`).join(', ')}, updated_at = @now where id = @id`,
      );
      this.#mirrors.set(key, st);
    }
    return st;
  }

  /**
   * Records the movie's files (originals; files we published keep their row) and removes rows
   * of originals that are gone. When the movie moved, files we had published travel with it:
   * a file with the content of one of its published files whose old path is gone takes over
   * that row and stays ours. Returns path → library file id of the originals.
   */
  writeFiles(
    itemId: number,
    files: readonly FoundFile[],
    now: number,
    opts: { moved: boolean; fresh: boolean; known: KnownFiles },
  ): Map<string, number> {
    const { moved, fresh, known } = opts;
    const ids = new Map<string, number>();
    const present = new Set<string>();
    for (const f of files) {
      present.add(f.path);
      // In a library without items no path can hold a row yet (libraries never nest).
      const existing = known.none
        ? undefined
        : (this.#st.fileByPath.get(f.path) as { id: number; origin: string } | undefined);
      if (existing?.origin === 'published') {
        this.#st.touchFile.run(now, existing.id);
        continue;
      }
      if (!existing && moved) {
        const ours = (this.#st.publishedLike.all(itemId, f.sha256, f.role) as { id: number; path: string }[]).find(
          (r) => !existsSync(r.path),
        );
        if (ours) {
          this.#st.relocateFile.run(f.path, f.mtime, now, ours.id);
          continue;
        }
      }
      const values = [itemId, f.path, f.role, f.assetType, f.rank, f.sha256, f.bytes, f.width, f.height, f.mtime, now];
      // In a library without items no path can have a row yet: a plain insert, no conflict check.
      const id = known.none
        ? Number(this.#st.insertFile.run(...values).lastInsertRowid)
        : (this.#st.upsertFile.get(...values) as { id: number }).id;
      ids.set(f.path, id);
    }
    if (fresh) return ids;
    for (const row of this.#st.originalFilesOf.all(itemId) as { id: number; path: string }[]) {
      if (!present.has(row.path)) this.#st.deleteFile.run(row.id);
    }
    return ids;
  }

  /**
   * Original files become the current slot where the slot is empty or already an original
   * (never over a user or auto choice, never over a lock). An original slot whose file is gone
   * is cleared, unless the cache holds the image, so the publisher can put it back.
   */
  writeOriginalSlots(
    itemId: number,
    chosen: ReadonlyMap<string, FoundFile>,
    fileIds: ReadonlyMap<string, number>,
    now: number,
    fresh: boolean,
  ): void {
    for (const f of chosen.values()) {
      const fileId = fileIds.get(f.path);
      if (fileId === undefined || f.assetType === null || f.rank === null) continue;
      (fresh ? this.#st.insertOriginalSlot : this.#st.upsertOriginalSlot).run(
        itemId,
        f.assetType,
        f.rank,
        f.sha256,
        fileId,
        now,
      );
    }
    if (fresh) return;
    for (const slot of this.#st.slotsOf.all(itemId) as SlotRowLite[]) {
      if (slot.chosen_by !== 'original' || slot.locked === 1) continue;
      if (chosen.has(`${slot.asset_type}:${slot.rank}`)) continue;
      if (slot.blob_sha && this.#st.blobAvailable.get(slot.blob_sha) !== undefined) continue;
      this.#st.deleteOriginalSlot.run(itemId, slot.asset_type, slot.rank);
    }
  }

  originalCount(itemId: number): number {
    return this.#st.originalCount.get(itemId) as number;
  }

  upsertFolder(row: {
    path: string;
    libraryId: number;
    role: string;
    signature: string;
    subdirs: string[];
    aux: string[];
    files: string[];
    problems: WalkError[];
    error: string | null;
    now: number;
  }): void {
    this.#st.upsertFolder.run(
      row.path,
      row.libraryId,
      row.role,
      row.signature,
      JSON.stringify(row.subdirs),
      JSON.stringify(row.aux),
      JSON.stringify(row.files),
      JSON.stringify(row.problems),
      row.error,
      row.now,
    );
  }

  deleteFolder(path: string): void {
    this.#st.deleteFolder.run(path);
  }
}
