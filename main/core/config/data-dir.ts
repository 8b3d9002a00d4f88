import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
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

/** Creates the data dir when absent and proves it writable, with an error a user can act on. */
export function ensureDataDir(dir: string): void {
  try {
    makeDirs(dir);
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ApiError(
      'io_error',
      `The data folder ${dir} cannot be used (${reason}). Choose another with --data-dir or POSTERITY_DATA_DIR.`,
    );
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
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}
