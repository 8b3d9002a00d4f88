import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheKeyFor } from '../../main/core/providers/response-cache.ts';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from '../../main/core/providers/retry.ts';
import { TokenBucket } from '../../main/core/providers/token-bucket.ts';
import { redactUrl } from '../../main/core/providers/http.ts';

const policy = { ...DEFAULT_RETRY_POLICY, maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 10_000 };
const mid = () => 0.5;

describe('retry decisions', () => {
  it.each([
    // attempt, status, retryAfterMs, expected delay (random = 0.5)
    [0, 503, null, 75],
    [1, 502, null, 150],
    [2, 500, null, 300],
    [3, 500, null, null], // retries used up
    [0, 429, 2000, 2050], // Retry-After plus a little jitter
    [0, 429, 60_000, null], // longer than we wait
    [0, 429, null, 75], // 429 without Retry-After: backoff
    [0, 404, null, null],
    [0, 401, null, null],
    [0, 400, null, null],
    [0, undefined, null, 75], // a network error
  ])('attempt %i, status %s, Retry-After %s ms → %s', (attempt, status, retryAfterMs, expected) => {
    expect(retryDelay({ attempt, status, retryAfterMs }, policy, mid)).toBe(expected);
  });

  it('caps the backoff step and keeps at least half of it', () => {
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
  });

  it.each([
    ['3', 3000],
    ['0', 0],
    ['1.5', 1500],
    ['Thu, 15 Jan 2026 12:00:05 GMT', 5000],
    ['Thu, 15 Jan 2026 11:00:00 GMT', 0],
    ['soon', null],
    [undefined, null],
  ])('Retry-After %j → %s ms', (header, expected) => {
    expect(parseRetryAfter(header, Date.UTC(2026, 0, 15, 12, 0, 0))).toBe(expected);
  });
});

describe('cache keys and redaction', () => {
  it('drop credentials and sort parameters', () => {
    const a = cacheKeyFor(
      'tmdb',
      'https://api.example/3/movie/1?language=en&api_key=SECRET1&append_to_response=images',
    );
    const b = cacheKeyFor('tmdb', 'https://api.example/3/movie/1?append_to_response=images&api_key=OTHER&language=en');
    expect(a).toBe(b);
    expect(a).not.toMatch(/SECRET1|api_key/);
    expect(cacheKeyFor('fanart', 'https://f.example/v3/movies/1?api_key=K&client_key=C')).toBe(
      'fanart https://f.example/v3/movies/1',
    );
  });

  it('keeps different questions apart', () => {
    expect(cacheKeyFor('tmdb', 'https://a/3/search/movie?query=x&year=1999')).not.toBe(
      cacheKeyFor('tmdb', 'https://a/3/search/movie?query=x'),
    );
    expect(cacheKeyFor('tmdb', 'https://a/x')).not.toBe(cacheKeyFor('fanart', 'https://a/x'));
  });

  it('redacts keys in URLs for messages', () => {
    expect(redactUrl('https://a/3/movie/1?api_key=SECRET1&language=en')).toBe(
      'https://a/3/movie/1?api_key=***&language=en',
    );
  });
});

describe('token bucket', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const start = () => {
    vi.useFakeTimers();
    const t0 = Date.now();
    const times: number[] = [];
    const now = () => Date.now() - t0;
    return { times, now };
  };

  it('paces requests evenly at the rate, first come first served', async () => {
    const { times, now } = start();
    const bucket = new TokenBucket({ rate: () => 10, now });
    const order: number[] = [];
    const all = Array.from({ length: 5 }, (_, i) =>
      bucket.take().then(() => {
        order.push(i);
        times.push(now());
      }),
    );
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(times).toEqual([0, 100, 200, 300, 400]);
  });

  it('a pause (Retry-After) holds every waiter, then pacing resumes', async () => {
    const { times, now } = start();
    const bucket = new TokenBucket({ rate: () => 10, now });
    await bucket.take();
    bucket.pause(1000);
    const all = Array.from({ length: 2 }, () => bucket.take().then(() => times.push(now())));
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(all);
    expect(times).toEqual([1000, 1100]);
  });

  it('follows a rate change from the next slot on', async () => {
    const { times, now } = start();
    let rate = 10;
    const bucket = new TokenBucket({ rate: () => rate, now });
    await bucket.take();
    rate = 100;
    const all = Array.from({ length: 3 }, () => bucket.take().then(() => times.push(now())));
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(all);
    expect(times).toEqual([100, 110, 120]);
  });

  it('makes up for a timer that fired late, without bunching more than the slack', async () => {
    const { times, now } = start();
    let offset = 0;
    const bucket = new TokenBucket({ rate: () => 10, now: () => now() + offset, slackMs: 30 });
    await bucket.take(); // slot 0; next at 100
    offset = 140; // the event loop was busy: we come 40 ms late for slot 100
    await bucket.take();
    times.push(now() + offset);
    const next = bucket.take().then(() => times.push(now() + offset));
    await vi.advanceTimersByTimeAsync(500);
    await next;
    // 140 went out late; the next slot is 140 - 30 (slack) + 100 = 210, not 240 and not 200.
    expect(times).toEqual([140, 210]);
  });

  it('paces under the configured rate by its headroom', async () => {
    const { times, now } = start();
    const bucket = new TokenBucket({ rate: () => 10, now, headroom: 0.5 });
    const all = Array.from({ length: 3 }, () => bucket.take().then(() => times.push(now())));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(all);
    expect(times).toEqual([0, 200, 400]);
  });

  it('a cancelled waiter leaves the queue and the others keep their turn', async () => {
    const { times, now } = start();
    const bucket = new TokenBucket({ rate: () => 10, now });
    await bucket.take();
    const ac = new AbortController();
    const cancelled = bucket.take(ac.signal);
    const kept = bucket.take().then(() => times.push(now()));
    ac.abort();
    await expect(cancelled).rejects.toBeDefined();
    await vi.advanceTimersByTimeAsync(500);
    await kept;
    expect(times).toEqual([100]);
    expect(bucket.waiting).toBe(0);
  });
});
