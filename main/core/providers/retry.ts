/** When and how long to wait before asking again. Pure, so it is tested as a table. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step; doubles per attempt. */
  baseDelayMs: number;
  /** Largest backoff step. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the request fails with the 429. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/** Statuses worth asking again: rate limiting and transient server trouble. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Retry-After as milliseconds from `now`: either delta-seconds or an HTTP date. Null when absent
 * or unreadable (the caller falls back to backoff).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries of
 * many requests that failed together spread out but never come back immediately.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The wait before retry number `attempt + 1`, or null when the request should not be retried:
 * retries used up, a status that will not change, or a Retry-After longer than we wait.
 */
export function retryDelay(
  outcome: { attempt: number; status?: number; retryAfterMs?: number | null },
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (outcome.attempt >= policy.maxRetries) return null;
  if (outcome.status !== undefined && !isRetryableStatus(outcome.status)) return null;
  const after = outcome.retryAfterMs ?? null;
  if (after !== null) {
    if (after > policy.maxRetryAfterMs) return null;
    // A small jitter on top, so every waiting request does not return in the same millisecond.
    return after + Math.round(random() * Math.min(250, policy.baseDelayMs));
  }
  return backoffDelay(outcome.attempt, policy, random);
}
