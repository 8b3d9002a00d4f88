import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  /** A logger that prefixes every line with a scope, e.g. `tmdb`. */
  child(scope: string): Logger;
  /** Adds strings (API keys) that must never appear in any log line. */
  addSecret(secret: string): void;
}

export interface LoggerOptions {
  /** Log file; rotated once at 5 MB to `<file>.1`. Omit for console only. */
  file?: string;
  consoleLevel?: LogLevel | 'silent';
  fileLevel?: LogLevel;
  /** Where console lines go; stderr by default so `--json` output on stdout stays clean. */
  consoleWrite?: (line: string) => void;
}

const MAX_LOG_BYTES = 5 * 1024 * 1024;
// Credentials that travel in URLs; masked even when nobody registered them as secrets.
const URL_SECRET = /([?&](?:api_key|client_key|token|secret|X-Plex-Token)=)[^&\s"']+/gi;

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = new Set<string>();
  const consoleRank = options.consoleLevel === 'silent' ? Infinity : rank(options.consoleLevel ?? 'info');
  const fileRank = rank(options.fileLevel ?? 'info');
  const write = options.consoleWrite ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (options.file) mkdirSync(path.dirname(options.file), { recursive: true });

  const redact = (text: string): string => {
    let out = text.replace(URL_SECRET, '$1***');
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };

  const emit = (level: LogLevel, scope: string, message: string, data?: Record<string, unknown>) => {
    const r = rank(level);
    if (r < consoleRank && r < fileRank) return;
    const detail = data && Object.keys(data).length > 0 ? ` ${safeJson(data)}` : '';
    const body = redact(`${scope ? `[${scope}] ` : ''}${message}${detail}`);
    if (r >= consoleRank) write(`${level.toUpperCase().padEnd(5)} ${body}`);
    if (options.file && r >= fileRank) appendToFile(options.file, `${new Date().toISOString()} ${level} ${body}\n`);
  };

  const make = (scope: string): Logger => ({
    debug: (m, d) => emit('debug', scope, m, d),
    info: (m, d) => emit('info', scope, m, d),
    warn: (m, d) => emit('warn', scope, m, d),
    error: (m, d) => emit('error', scope, m, d),
    child: (s) => make(scope ? `${scope}:${s}` : s),
    addSecret: (s) => {
      // Very short strings would mask ordinary words.
      if (s.length >= 6) secrets.add(s);
    },
  });
  return make('');
}

function rank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? v.message : v));
  } catch {
    return '[unserialisable]';
  }
}

function appendToFile(file: string, line: string): void {
  try {
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
    appendFileSync(file, line);
  } catch {
    // A log that cannot be written must never break the operation being logged.
  }
}
