import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, type Transaction } from 'kysely';
import { ApiError } from '../../../shared/api/errors.ts';
import { MIGRATIONS } from '../../../migrations/index.ts';
import type { Database } from './schema.ts';
import { foldForSearch, SEARCH_FOLD_SQL, TITLE_ORDER_SQL, titleOrderKey } from './text-fold.ts';
import { ImmediateSqliteDialect } from './write-lock.ts';

export type Db = Kysely<Database>;
/** Repositories take either the database or an open transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;

export interface OpenedDatabase {
  db: Db;
  /**
   * The raw handle, for the few things kysely does not cover (checkpoint, backup). Writes in a
   * transaction through it use `immediateTransaction` (write-lock.ts), as kysely's begin immediate.
   */
  sqlite: BetterSqlite3.Database;
  file: string;
  schemaVersion: string;
  close(): Promise<void>;
}

/**
 * Opens (creating when absent) and migrates the database. A damaged file or one written by a
 * newer Posterity is refused with a clear error and left exactly as it was.
 *
 * Other Posterity processes may use the same file at once: every transaction takes the write
 * lock when it begins, so writers wait for each other (up to busy_timeout) instead of failing.
 * On POSIX the file and SQLite's side files are readable by their owner only (they hold API
 * keys and passwords).
 */
export async function openDatabase(file: string): Promise<OpenedDatabase> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const existed = file !== ':memory:' && existsSync(file);
  // Created private, so the -wal and -shm files SQLite makes next to it inherit the mode.
  if (file !== ':memory:' && !existed) createPrivate(file);
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
    if (file !== ':memory:') makeDatabaseFilesPrivate(file);
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

  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
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

const PRIVATE_FILE_MODE = 0o600;

/** Creates an empty file only its owner can read (SQLite takes an empty file as a new database). */
function createPrivate(file: string): void {
  if (process.platform === 'win32') return;
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch {
    // Someone else created it first, or it cannot be made here: opening it says what is wrong.
  }
}

/**
 * Takes group and other access away from the database and its side files, also for a file an
 * older Posterity created 0644. Best effort: a file of another owner is left as it is.
 */
function makeDatabaseFilesPrivate(file: string): void {
  if (process.platform === 'win32') return;
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      const { mode } = statSync(f);
      if ((mode & 0o077) !== 0) chmodSync(f, mode & PRIVATE_FILE_MODE);
    } catch {
      // Absent, or not ours to change.
    }
  }
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
