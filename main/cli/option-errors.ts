import type { ApiError } from '../../shared/api/errors.ts';
import type { Command } from './command.ts';

/*
 * The API refuses bad parameters with zod's wording and the parameter's name ("limit: Too small:
 * expected number to be >=1"). On the command line the user typed an option, so the refusal is
 * re-worded here, once for every command, in terms of that option ("--limit must be at least 1").
 */

/** zod's messages (v4 wording) and how to say them after an option name. First match wins. */
const ISSUE_WORDING: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Too small: expected number to be >0$/, () => 'must be a positive number'],
  [/^Too small: expected number to be >=(\S+)$/, (m) => `must be at least ${m[1]}`],
  [/^Too small: expected number to be >(\S+)$/, (m) => `must be more than ${m[1]}`],
  [/^Too big: expected number to be <=(\S+)$/, (m) => `must be at most ${m[1]}`],
  [/^Too big: expected number to be <(\S+)$/, (m) => `must be less than ${m[1]}`],
  [/^Too small: expected string to have >=1 characters?$/, () => 'must not be empty'],
  [/^Too small: expected string to have >=(\d+) characters?$/, (m) => `must be at least ${m[1]} characters long`],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => `must be at most ${m[1]} characters long`],
  [/^Invalid input: expected int\b/, () => 'must be a whole number'],
  [
    /^Invalid option: expected one of (.+)$/,
    (m) => `must be one of ${m[1]!.replaceAll('"', '').split('|').join(', ')}`,
  ],
];

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The option of `command` a parameter comes from: `offset` → `--offset`, `missingArt` →
 * `--missing-art`, and ids by their noun (`libraryId` → `--library`), as the commands name them.
 */
export function optionFor(field: string, command: Command): string | undefined {
  const flags = command.flags ?? {};
  const candidates = [kebab(field), kebab(field.replace(/Ids?$/, ''))];
  return candidates.find((c) => c !== '' && Object.hasOwn(flags, c));
}

/** `--limit must be at least 1` for a refused parameter that `command` took from an option; else undefined. */
export function optionError(err: ApiError, command: Command): string | undefined {
  if (err.code !== 'bad_request' || err.field === undefined) return undefined;
  const option = optionFor(err.field, command);
  if (option === undefined) return undefined;
  const issue = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
  for (const [pattern, say] of ISSUE_WORDING) {
    const m = pattern.exec(issue);
    if (m) return `--${option} ${say(m)}`;
  }
  return `--${option} is not accepted (${issue})`;
}
