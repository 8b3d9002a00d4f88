import type { ApiClient } from '../../shared/api/index.ts';
import type { Engine } from '../core/engine.ts';
import type { FlagSpec, ParsedArgs } from './args.ts';
import type { Io } from './output.ts';
import type { ProgressBar } from './progress.ts';

export interface CommandContext {
  client: ApiClient;
  engine: Engine;
  io: Io;
  json: boolean;
  dataDir: string;
  /** A progress bar on stderr (silent off a TTY and with --json). */
  progress(): ProgressBar;
}

/** One CLI command. `name` may have two words (`config get`); the table in commands/ lists them all. */
export interface Command {
  name: string;
  /** Arguments after the name, e.g. `PATH [--kind movies]`. */
  usage: string;
  summary: string;
  /** More lines for `--help` (what the exit code means, for instance). */
  details?: string[];
  flags?: Record<string, FlagSpec>;
  /**
   * The command reads or fills the cache: downloads an earlier run left PENDING (a crash, a kill)
   * are finished first, with progress. Only long-running processes resume them at start, so
   * without this a one-shot command would work around them for ever.
   */
  usesCache?: boolean;
  /** Runs the command; returns the exit code (0 when omitted). */
  run(ctx: CommandContext, args: ParsedArgs): Promise<number | void>;
}

/** Exit codes: 0 ok, 1 the operation failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
