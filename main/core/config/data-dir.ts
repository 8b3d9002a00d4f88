import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';

export interface DataDirInputs {
  /** `--data-dir` from the command line. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** The runtime's own default (Electron passes its userData folder). */
  runtimeDefault?: string | undefined;
}

/** `--data-dir`, else `$POSTERITY_DATA_DIR`, else the runtime's default, else the XDG data dir. */
export function resolveDataDir({ flag, env = process.env, runtimeDefault }: DataDirInputs): string {
  if (flag) return path.resolve(flag);
  if (env.POSTERITY_DATA_DIR) return path.resolve(env.POSTERITY_DATA_DIR);
  if (runtimeDefault) return runtimeDefault;
  const xdg = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(xdg, 'posterity');
}

/**
 * Creates the data dir when absent (private to the user on POSIX: it holds API keys and
 * passwords) and proves it writable, with an error a user can act on.
 */
export function ensureDataDir(dir: string): void {
  try {
    const existed = existsSync(dir);
    makeDirs(dir, PRIVATE_DIR_MODE);
    if (existed) tightenOwnDataDir(dir);
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ApiError(
      'io_error',
      `The data folder ${dir} cannot be used (${reason}). Choose another with --data-dir or POSTERITY_DATA_DIR.`,
    );
  }
}

const PRIVATE_DIR_MODE = 0o700;
/** What Posterity itself puts in a data dir (see `dataPaths`, plus the jobs lock and SQLite's side files). */
const OWN_ENTRIES = new Set([
  'posterity.db',
  'posterity.db-wal',
  'posterity.db-shm',
  'posterity.db-journal',
  'logs',
  'cache',
  'recycle',
  'server-token',
  'jobs.lock',
]);

/**
 * Makes an existing data dir private when it is ours: one an older Posterity created with the
 * default 0755. A folder the user pointed at that holds anything else is left as it is; the
 * database files themselves are made private when opened. Best effort, never on Windows.
 */
function tightenOwnDataDir(dir: string): void {
  if (process.platform === 'win32') return;
  try {
    const { mode } = statSync(dir);
    if ((mode & 0o077) === 0) return;
    if (!readdirSync(dir).every((name) => OWN_ENTRIES.has(name))) return;
    chmodSync(dir, mode & 0o700);
  } catch {
    // Not ours to change (another owner, a read-only mount): the database files are still made private.
  }
}

/** Where each part of the data dir lives; one place, so nothing hard-codes a path. */
export function dataPaths(dataDir: string) {
  return {
    root: dataDir,
    database: path.join(dataDir, 'posterity.db'),
    logFile: path.join(dataDir, 'logs', 'posterity.log'),
    cache: path.join(dataDir, 'cache'),
    assets: path.join(dataDir, 'cache', 'assets'),
    previews: path.join(dataDir, 'cache', 'previews'),
    thumbs: path.join(dataDir, 'cache', 'thumbs'),
    quarantine: path.join(dataDir, 'cache', 'quarantine'),
    tmp: path.join(dataDir, 'cache', 'tmp'),
    recycle: path.join(dataDir, 'recycle'),
    token: path.join(dataDir, 'server-token'),
  };
}

export type DataPaths = ReturnType<typeof dataPaths>;

/**
 * mkdir -p, one level at a time. Node's recursive mkdir spins forever on some virtual
 * filesystems (under /proc it keeps retrying ENOENT), so missing parents are created explicitly.
 * `mode` applies to `dir` itself when it is created; missing parents get the default.
 */
export function makeDirs(dir: string, mode?: number): void {
  const target = path.resolve(dir);
  const missing: string[] = [];
  for (let d = target; !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    if (d === target && mode !== undefined) mkdirSync(d, { mode });
    else mkdirSync(d);
  }
}
