import { ApiError } from '../../shared/api/errors.ts';
import { inProcessClient } from '../core/api/in-process-client.ts';
import { resolveDataDir } from '../core/config/data-dir.ts';
import { createEngine, type Engine } from '../core/engine.ts';
import { VERSION } from '../core/version.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';
import { EXIT, type Command } from './command.ts';
import { finishPendingDownloads } from './commands/cache.ts';
import { COMMANDS } from './commands/index.ts';
import type { Io } from './output.ts';
import { optionError } from './option-errors.ts';
import { progressBar } from './progress.ts';

const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  'data-dir': { value: true, description: 'Data folder (default: $POSTERITY_DATA_DIR or ~/.local/share/posterity)' },
  json: { description: 'Machine-readable JSON on stdout' },
  verbose: { description: 'Log details to the console' },
  help: { description: 'Show help' },
  version: { description: 'Show the version' },
};

export interface MainOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  /** Lets a caller (the demo, tests) reuse an engine instead of opening the data dir. */
  engineFactory?: (dataDir: string) => Promise<Engine>;
}

/** `posterity [--data-dir DIR] [--json] <command>`; resolves to the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io: Io = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  const env = options.env ?? process.env;
  const match = findCommand(argv);
  let engine: Engine | undefined;
  try {
    const specs = { ...GLOBAL_FLAGS, ...(match?.command.flags ?? {}) };
    const args = parseArgs(match ? match.rest : argv, specs);
    if (args.flags.version) {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (!match) {
      const group = groupOf(args.positionals);
      // `posterity library` alone is a question about the group, answered like a bare `posterity`.
      if (group && (args.flags.help || args.positionals.length === 1)) {
        io.stdout.write(groupHelp(group));
        return args.flags.help ? EXIT.ok : EXIT.usage;
      }
      if (args.flags.help || argv.length === 0) {
        io.stdout.write(helpText());
        return argv.length === 0 ? EXIT.usage : EXIT.ok;
      }
      throw new UsageError(
        `Unknown command "${args.positionals.join(' ')}"`,
        group ? `Run 'posterity ${group} --help' for its commands.` : undefined,
      );
    }
    if (args.flags.help) {
      io.stdout.write(commandHelp(match.command));
      return EXIT.ok;
    }
    const json = args.flags.json === true;
    const dataDir = resolveDataDir({ flag: args.flags['data-dir'] as string | undefined, env });
    engine = options.engineFactory
      ? await options.engineFactory(dataDir)
      : await createEngine({ dataDir, env, consoleLevel: args.flags.verbose ? 'debug' : 'warn' });
    const ctx = {
      client: inProcessClient(engine.dispatch),
      engine,
      io,
      json,
      dataDir,
      progress: () => progressBar(json ? { isTTY: false, write: () => true } : io.stderr),
    };
    // A dry run promises to change nothing, the cache included.
    if (match.command.usesCache && !args.flags['dry-run']) await finishPendingDownloads(ctx);
    return (await match.command.run(ctx, args)) ?? EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`posterity: ${err.message}\n`);
      io.stderr.write(usageHint(match?.command, err.hint));
      return EXIT.usage;
    }
    const apiError = err instanceof ApiError ? err : null;
    // A parameter the API refused came from an option: say so in the option's terms.
    const optionProblem = apiError && match ? optionError(apiError, match.command) : undefined;
    const message = optionProblem ?? (apiError ? apiError.message : (err as Error).message);
    if (argv.includes('--json')) {
      io.stdout.write(`${JSON.stringify({ error: apiError?.toJSON() ?? { code: 'internal', message } })}\n`);
    }
    io.stderr.write(`posterity: ${message}\n`);
    if (optionProblem !== undefined) io.stderr.write(usageHint(match?.command));
    return apiError?.code === 'bad_request' ? EXIT.usage : EXIT.failed;
  } finally {
    if (engine && !options.engineFactory) await engine.close();
  }
}

/** Longest command name that prefixes the non-flag words of argv. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of COMMANDS) {
    const words = command.name.split(' ');
    const positions: number[] = [];
    let i = 0;
    for (const word of words) {
      while (i < argv.length && argv[i]!.startsWith('--'))
        i += GLOBAL_FLAGS[argv[i]!.slice(2)]?.value && !argv[i]!.includes('=') ? 2 : 1;
      if (argv[i] !== word) break;
      positions.push(i++);
    }
    if (positions.length === words.length && (!best || words.length > best.command.name.split(' ').length)) {
      best = { command, rest: argv.filter((_, idx) => !positions.includes(idx)) };
    }
  }
  return best;
}

/** The line after a usage error: the command's usage, or where to find the commands. */
function usageHint(command: Command | undefined, hint?: string): string {
  if (hint) return `${hint}\n`;
  return command ? `Usage: posterity ${command.name} ${command.usage}\n` : "Run 'posterity --help' for the commands.\n";
}

/** The group (`library`, `items`, …) the first word names when it is not a command itself. */
function groupOf(positionals: readonly string[]): string | undefined {
  const word = positionals[0];
  return word !== undefined && COMMANDS.some((c) => c.name.startsWith(`${word} `)) ? word : undefined;
}

/** A group's subcommands, one line each. */
function groupHelp(group: string): string {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: posterity ${group} <command> [options]`,
    '',
    'Commands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`posterity ${group} <command> --help\` for details.`,
    '',
  ].join('\n');
}

function helpText(): string {
  // Names only: usages are long, and `posterity <command> --help` shows each in full.
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Posterity — artwork for your Kodi, Jellyfin and Plex movie libraries.',
    '',
    'Usage: posterity [--data-dir DIR] [--json] <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...flagLines(Object.entries(GLOBAL_FLAGS)),
    '',
    'Exit codes: 0 ok, 1 failed, 2 wrong usage. Run `posterity <command> --help` for details.',
    '',
  ].join('\n');
}

/** Flags and their descriptions in two aligned columns. */
function flagLines(flags: [string, { value?: boolean; description: string }][]): string[] {
  const spelled = flags.map(([n, f]) => `--${n}${f.value ? ' VALUE' : ''}`);
  const width = Math.max(16, ...spelled.map((x) => x.length));
  return flags.map(([, f], i) => `  ${spelled[i]!.padEnd(width)}  ${f.description}`);
}

function commandHelp(command: Command): string {
  const flags = Object.entries(command.flags ?? {});
  return [
    `Usage: posterity ${command.name} ${command.usage}`.trimEnd(),
    '',
    command.summary,
    ...(command.usesCache
      ? [
          `Downloads an earlier run left pending (a crash, a kill) are finished first${command.flags?.['dry-run'] ? ' (not with --dry-run)' : ''}.`,
        ]
      : []),
    ...(command.details ?? []),
    ...(flags.length ? ['', 'Options:', ...flagLines(flags)] : []),
    '',
  ].join('\n');
}
