import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { ApiError } from '../../../shared/api/errors.ts';

/*
 * Several Posterity processes may share one data folder (the CLI beside a daemon or the app).
 * In WAL mode a plain (deferred) `begin` takes no lock; a transaction that reads and later
 * writes must then upgrade, and SQLite refuses that upgrade at once with SQLITE_BUSY or
 * SQLITE_BUSY_SNAPSHOT when another process wrote in between, without waiting on busy_timeout
 * (waiting could deadlock). `begin immediate` takes the write lock up front, where SQLite does
 * wait, so writers queue behind each other instead of failing.
 */

/** Whether `err` is SQLite giving up on a lock (SQLITE_BUSY or one of its extended codes). */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** A lock SQLite could not get within busy_timeout, as a message a user can act on; others pass. */
export function busyToApiError(err: unknown): unknown {
  if (!isBusyError(err)) return err;
  return new ApiError(
    'conflict',
    'Another Posterity process kept the database busy for too long, so this change was not made. ' +
      'Try again when the other process (a running daemon, the app or another command) is less busy.',
  );
}

/** kysely's SQLite dialect, with transactions that begin immediate and busy errors made plain. */
export class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(super.createDriver());
  }
}

class ImmediateSqliteDriver implements Driver {
  readonly #inner: Driver;
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) {
      wrapped = new PlainBusyConnection(connection);
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    // SQLite has no isolation levels or read-only transactions to choose; only when to lock.
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#inner.releaseSavepoint?.(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection instanceof PlainBusyConnection ? connection.inner : connection);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

class PlainBusyConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (err) {
      throw busyToApiError(err);
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (err) {
      throw busyToApiError(err);
    }
  }
}

/**
 * Runs `fn` (synchronous better-sqlite3 statements) as one transaction that begins immediate,
 * for the code that writes through the raw handle; a lock not had in time is the same plain error.
 */
export function immediateTransaction<T>(sqlite: BetterSqlite3.Database, fn: () => T): T {
  try {
    return sqlite.transaction(fn).immediate();
  } catch (err) {
    throw busyToApiError(err);
  }
}
