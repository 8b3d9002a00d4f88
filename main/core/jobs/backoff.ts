import { ApiError } from '../../../shared/api/errors.ts';
import { MAX_BACKOFF_MS, type JobKindSpec } from './kinds.ts';

/**
 * Delay before the next try after `attempts` failed tries: `backoffMs × 2^(attempts−1)`, capped,
 * then spread ±25% so jobs that failed together (a provider outage) do not all return together.
 * `random` is in [0, 1).
 */
export function backoffDelay(spec: Pick<JobKindSpec, 'backoffMs'>, attempts: number, random: number): number {
  const exponent = Math.max(0, attempts - 1);
  const base = Math.min(MAX_BACKOFF_MS, spec.backoffMs * 2 ** Math.min(exponent, 30));
  const jitter = 0.75 + random * 0.5;
  return Math.round(Math.min(MAX_BACKOFF_MS, base * jitter));
}

/**
 * A failure a retry cannot fix soon, for a reason the owning domain already scheduled (an
 * enrichment that failed carries its own retry time on the item). The job ends failed at once.
 */
export class FinalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FinalError';
  }
}

/** Codes that say "this will fail the same way again": retrying only wastes requests. */
const FINAL_CODES = new Set(['bad_request', 'not_found', 'conflict', 'cancelled', 'unknown_method', 'unauthorized']);

/** Whether a failure is worth another try (outages, busy disks, surprises) or final (bad input). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof FinalError) return false;
  if (err instanceof ApiError) return !FINAL_CODES.has(err.code);
  return !(err instanceof Error && err.name === 'AbortError');
}

/** The text a user sees for a failure; never a stack trace. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
