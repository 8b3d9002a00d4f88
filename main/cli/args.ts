/** A declared flag: `value: true` takes an argument (`--port 8790` or `--port=8790`). */
export interface FlagSpec {
  value?: boolean;
  /** May be given several times (values collected in order). */
  repeat?: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[]>;
}

export class UsageError extends Error {
  /** A line to show instead of the command's usage (e.g. where to find a group's commands). */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

/** Parses argv against declared flags; unknown flags are usage errors, never silently ignored. */
export function parseArgs(argv: string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) throw new UsageError(`Unknown option --${name}`);
    let value: string | boolean = true;
    if (spec.value) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`--${name} needs a value`);
        value = next;
        i++;
      }
    } else if (eq >= 0) {
      throw new UsageError(`--${name} takes no value`);
    }
    if (spec.repeat) {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(String(value));
      flags[name] = list;
    } else {
      flags[name] = value;
    }
  }
  return { positionals, flags };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function flagInt(args: ParsedArgs, name: string): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number`);
  return n;
}

/** Parses positional ids such as item ids; refuses anything that is not a positive integer. */
export function parseId(value: string | undefined, what: string): number {
  if (value === undefined) throw new UsageError(`${what} is needed (a positive number)`);
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive number, not "${value}"`);
  return n;
}
