import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Transaction } from 'kysely';
import { ApiError } from '../../../shared/api/errors.ts';
import { MIGRATIONS } from '../../../migrations/index.ts';
import type { Database } from './schema.ts';
import { foldForSearch, SEARCH_FOLD_SQL, TITLE_ORDER_SQL, titleOrderKey } from './text-fold.ts';

export type Db = Kysely<Database>;
/** Repositories take either the database or an open transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;

export interface OpenedDatabase {
  db: Db;
  /** The raw handle, for the few things kysely does not cover (checkpoint, backup). */
  sqlite: BetterSqlite3.Database;
  file: string;
  schemaVersion: string;
  close(): Promise<void>;
}

/**
 * Opens (creating when absent) and migrates the database. A damaged file or one written by a
 * newer Posterity is refused with a clear error and left exactly as it was.
 */
export async function openDatabase(file: string): Promise<OpenedDatabase> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const existed = file !== ':memory:' && existsSync(file);
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(file);
  } catch (err) {
    throw new ApiError('io_error', `Cannot open the database ${file}: ${(err as Error).message}`);
  }
  try {
    // The first real read is what detects a file that is not SQLite; before any write.
    sqlite.pragma('schema_version');
    if (existed) assertNotFromTheFuture(sqlite, file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.function(SEARCH_FOLD_SQL, { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? foldForSearch(text) : text,
    );
    sqlite.function(TITLE_ORDER_SQL, { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? titleOrderKey(text) : text,
    );
  } catch (err) {
    sqlite.close();
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      'io_error',
      `The database ${file} is damaged or is not a Posterity database (${(err as Error).message}). ` +
        'It was left untouched; move it aside to start fresh.',
    );
  }

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new ApiError('io_error', `Updating the database schema failed: ${(error as Error).message}`);
  }
  const names = Object.keys(MIGRATIONS).sort();
  return {
    db,
    sqlite,
    file,
    schemaVersion: names[names.length - 1] ?? 'none',
    close: () => db.destroy(),
  };
}

function assertNotFromTheFuture(sqlite: BetterSqlite3.Database, file: string): void {
  const table = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'")
    .get();
  if (!table) return;
  const applied = sqlite.prepare('select name from kysely_migration').all() as { name: string }[];
  const unknown = applied.map((r) => r.name).filter((n) => !Object.hasOwn(MIGRATIONS, n));
  if (unknown.length > 0) {
    throw new ApiError(
      'io_error',
      `The database ${file} was written by a newer version of Posterity (schema ${unknown.sort().at(-1)}). ` +
        'Update Posterity to use it; the file was left untouched.',
    );
  }
}

/** JSON helpers for the JSON-as-text columns. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
