import { createHash } from 'node:crypto';
import { Transform, pipeline, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { SettingsStore } from '../config/settings-store.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { BUDGETS, HTTP_BUDGETS } from './budgets.ts';
import {
  HttpError,
  redactUrl,
  type BudgetStats,
  type DownloadOptions,
  type DownloadResponse,
  type HttpBudget,
  type HttpClient,
  type HttpRequestOptions,
  type HttpStats,
  type JsonRequestOptions,
  type JsonResponse,
} from './http.ts';
import { ResponseCache, cacheKeyFor } from './response-cache.ts';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.ts';
import { TokenBucket } from './token-bucket.ts';

const DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024;
const ERROR_TEXT_BYTES = 500;

export interface HttpClientDeps {
  settings: Pick<SettingsStore, 'get'>;
  clock: Clock;
  log: Logger;
  /** Where answers are cached; without it nothing is cached. */
  db?: Db;
  /** Settings changes rebuild connection pools. */
  events?: EventBus;
  /** Overrides of the retry timing (tests, benchmarks); the retry count comes from settings. */
  retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>;
  random?: () => number;
}

interface BudgetState {
  agent: Agent;
  connections: number;
  bucket: TokenBucket | null;
  stats: BudgetStats;
}

/** One attempt's answer, body not yet read. */
interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

interface Flight {
  promise: Promise<JsonResponse>;
  controller: AbortController;
  waiters: number;
}

interface RequestPlan {
  url: string;
  budget: HttpBudget;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  /** JSON requests time out as a whole; downloads only when the body stalls. */
  wholeTimeout: boolean;
}

/**
 * The full client behind `HttpClient`: an undici Agent (one keep-alive pool per host) per budget,
 * a token bucket per rate-limited budget, retries with backoff and jitter that honour Retry-After,
 * per-attempt timeouts, size caps, the SQLite response cache and coalescing of identical GETs.
 * Credentials never reach a log line, a cache key or an error message.
 */
export function createHttpClient(deps: HttpClientDeps): HttpClient {
  const { settings, clock, log } = deps;
  const cache = deps.db ? new ResponseCache(deps.db, clock) : null;
  const random = deps.random ?? Math.random;
  const states = new Map<HttpBudget, BudgetState>();
  const flights = new Map<string, Flight>();
  let closed = false;

  const policy = (): RetryPolicy => ({
    ...DEFAULT_RETRY_POLICY,
    ...deps.retry,
    maxRetries: settings.get('providers.maxRetries'),
  });
  const timeoutMs = (o: HttpRequestOptions) => o.timeoutMs ?? settings.get('providers.timeoutSeconds') * 1000;

  const connectionsFor = (budget: HttpBudget): number => {
    const spec = BUDGETS[budget];
    return spec.connectionsSetting ? Number(settings.get(spec.connectionsSetting)) : spec.connections;
  };
  const newAgent = (connections: number) =>
    new Agent({ connections, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connect: { timeout: 10_000 } });

  const state = (budget: HttpBudget): BudgetState => {
    let st = states.get(budget);
    if (!st) {
      const spec = BUDGETS[budget];
      const rateSetting = spec.rateSetting;
      const connections = connectionsFor(budget);
      st = {
        agent: newAgent(connections),
        connections,
        bucket: rateSetting
          ? new TokenBucket({
              rate: () => Number(settings.get(rateSetting)),
              headroom: spec.headroom,
              slackMs: spec.slackMs,
            })
          : null,
        stats: emptyStats(),
      };
      states.set(budget, st);
    }
    return st;
  };

  // A changed connection cap takes a new pool; requests in flight finish on the old one.
  const unsubscribe = deps.events?.on((event) => {
    if (event.type !== 'settings-changed') return;
    for (const [budget, st] of states) {
      const wanted = connectionsFor(budget);
      if (wanted === st.connections) continue;
      const old = st.agent;
      st.agent = newAgent(wanted);
      st.connections = wanted;
      old.close().catch(() => {});
    }
  });

  /** One attempt on the wire. */
  async function attempt(plan: RequestPlan, st: BudgetState, signal: AbortSignal | undefined): Promise<RawResponse> {
    const res = await request(plan.url, {
      dispatcher: st.agent,
      method: plan.method,
      headers: plan.headers,
      body: plan.body,
      signal,
      headersTimeout: plan.timeoutMs,
      bodyTimeout: plan.timeoutMs,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /**
   * Sends a request, waiting for the budget's token before every attempt and retrying what is
   * worth retrying. `consume` reads the body within the attempt (so a body that breaks off is
   * retried too); without it the body is handed back unread.
   */
  async function send<T>(
    plan: RequestPlan,
    consume: (res: RawResponse) => Promise<T>,
  ): Promise<{ res: RawResponse; value: T }> {
    const st = state(plan.budget);
    const p = policy();
    const where = redactUrl(plan.url);
    for (let n = 0; ; n++) {
      if (closed) throw new HttpError('network', `${where}: the HTTP client is closed`);
      if (st.bucket) await st.bucket.take(plan.signal);
      plan.signal?.throwIfAborted();
      st.stats.requests++;
      // JSON requests get one deadline for headers and body; a download's body may take long, so
      // it only fails when it stalls (undici's bodyTimeout) and keeps the caller's signal.
      const ac = plan.wholeTimeout ? new AbortController() : null;
      const onAbort = () => ac?.abort(plan.signal?.reason);
      if (ac) plan.signal?.addEventListener('abort', onAbort, { once: true });
      let timedOut = false;
      const timer = ac
        ? setTimeout(() => {
            timedOut = true;
            ac.abort(new HttpError('timeout', `${where}: no answer within ${seconds(plan.timeoutMs)} s`));
          }, plan.timeoutMs)
        : null;
      let outcome: { res: RawResponse; value: T } | null = null;
      let delay: number | null = null;
      try {
        const res = await attempt(plan, st, ac?.signal ?? plan.signal);
        if (isRetryableStatus(res.status)) {
          if (res.status === 429) st.stats.rateLimited++;
          // An HTTP date in Retry-After is the server's wall clock, so compare it with ours.
          const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now());
          delay = retryDelay({ attempt: n, status: res.status, retryAfterMs }, p, random);
          // Everyone on this budget waits, not just this request: the server said we are too fast.
          if (res.status === 429 && st.bucket)
            st.bucket.pause(Math.min(delay ?? retryAfterMs ?? 1000, p.maxRetryAfterMs));
          if (delay === null) {
            st.stats.failures++;
            log.warn(`Giving up after HTTP ${res.status}`, { url: where, attempts: n + 1 });
          }
        }
        if (delay === null) outcome = { res, value: await consume(res) };
        else {
          discard(res.body);
          log.debug(`Retrying after HTTP ${res.status}`, { url: where, attempt: n + 1, delayMs: delay });
        }
      } catch (err) {
        if (plan.signal?.aborted) throw plan.signal.reason ?? abortError();
        const failure = toHttpError(err, where, timedOut, plan.timeoutMs);
        delay = failure.code === 'too_large' ? null : retryDelay({ attempt: n }, p, random);
        if (delay === null) {
          st.stats.failures++;
          throw failure;
        }
        log.debug(`Retrying after ${failure.code}`, { url: where, attempt: n + 1, delayMs: delay });
      } finally {
        if (timer) clearTimeout(timer);
        if (ac) plan.signal?.removeEventListener('abort', onAbort);
      }
      if (outcome) return outcome;
      st.stats.retries++;
      await sleep(delay ?? 0, undefined, { signal: plan.signal });
    }
  }

  const readText =
    (maxBytes: number, where: string) =>
    async (res: RawResponse): Promise<string> => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(res.body);
        throw tooLarge(where, maxBytes);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > maxBytes) {
          discard(res.body);
          throw tooLarge(where, maxBytes);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks).toString('utf8');
    };

  /** The answer, and its text as received (what the cache stores, so it is not serialised again). */
  async function fetchJson(plan: RequestPlan, maxBytes: number): Promise<{ response: JsonResponse; text: string }> {
    const { res, value: text } = await send(plan, readText(maxBytes, redactUrl(plan.url)));
    return { response: toJsonResponse(res.status, text, false), text };
  }

  /** Lets a caller wait on a shared request with its own signal; the last one leaving cancels it. */
  function join(flight: Flight, signal: AbortSignal | undefined): Promise<JsonResponse> {
    flight.waiters++;
    return new Promise<JsonResponse>((resolve, reject) => {
      let settled = false;
      const leave = () => {
        settled = true;
        flight.waiters--;
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (settled) return;
        leave();
        reject(signal?.reason ?? abortError());
        if (flight.waiters === 0) flight.controller.abort();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (v) => {
          if (settled) return;
          leave();
          resolve(v);
        },
        (e: unknown) => {
          if (settled) return;
          leave();
          reject(e);
        },
      );
    });
  }

  const client: HttpClient = {
    async getJson(url, o: JsonRequestOptions) {
      const st = state(o.budget);
      const ttl = o.cacheTtlMs ?? 0;
      const useCache = cache !== null && ttl > 0;
      const key = o.cacheKey ?? cacheKeyFor(o.budget, url);
      if (useCache && !o.forceRefresh) {
        const hit = await cache.get(key, ttl, o.freshAfter);
        if (hit) {
          st.stats.cacheHits++;
          return toJsonResponse(hit.status, hit.body, true);
        }
      }
      const maxBytes = o.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
      const flightKey = hashKey([o.budget, url, JSON.stringify(sortedHeaders(o.headers)), String(maxBytes)]);
      const existing = flights.get(flightKey);
      if (existing) {
        st.stats.coalesced++;
        return join(existing, o.signal);
      }
      const controller = new AbortController();
      const flight: Flight = { controller, waiters: 0, promise: Promise.resolve(null as never) };
      flight.promise = (async () => {
        try {
          const { response: res, text } = await fetchJson(
            {
              url,
              budget: o.budget,
              method: 'GET',
              headers: { accept: 'application/json', ...o.headers },
              signal: controller.signal,
              timeoutMs: timeoutMs(o),
              wholeTimeout: true,
            },
            maxBytes,
          );
          const cacheable = o.cacheable ?? defaultCacheable;
          if (useCache && res.body !== undefined && cacheable(res)) {
            await cache
              .put(key, BUDGETS[o.budget].provider, res.status, text, ttl)
              .catch((err: unknown) =>
                log.warn('Could not store a provider answer in the cache', { error: (err as Error).message }),
              );
          }
          return res;
        } finally {
          flights.delete(flightKey);
        }
      })();
      flight.promise.catch(() => {}); // every waiter handles it; this only silences the orphan
      flights.set(flightKey, flight);
      return join(flight, o.signal);
    },

    async postJson(url, body, o) {
      const { response } = await fetchJson(
        {
          url,
          budget: o.budget,
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json', ...o.headers },
          body: JSON.stringify(body),
          signal: o.signal,
          timeoutMs: timeoutMs(o),
          wholeTimeout: true,
        },
        DEFAULT_MAX_JSON_BYTES,
      );
      return response;
    },

    async download(url, o: DownloadOptions): Promise<DownloadResponse> {
      const where = redactUrl(url);
      const { res } = await send(
        {
          url,
          budget: o.budget,
          method: 'GET',
          headers: { ...o.headers },
          signal: o.signal,
          timeoutMs: timeoutMs(o),
          wholeTimeout: false,
        },
        async (r) => {
          const declared = Number(r.headers['content-length']);
          if (r.status < 300 && Number.isFinite(declared) && declared > o.maxBytes) {
            discard(r.body);
            throw tooLarge(where, o.maxBytes);
          }
        },
      );
      return { status: res.status, headers: res.headers, body: capped(res.body, o.maxBytes, where) };
    },

    stats() {
      const out = {} as HttpStats;
      for (const budget of HTTP_BUDGETS) out[budget] = { ...(states.get(budget)?.stats ?? emptyStats()) };
      return out;
    },

    async close() {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      for (const flight of flights.values()) flight.controller.abort();
      const closing = new HttpError('network', 'The HTTP client is closed');
      for (const st of states.values()) st.bucket?.close(closing);
      await Promise.all([...states.values()].map((st) => st.agent.close().catch(() => {})));
    },
  };
  return client;
}

function emptyStats(): BudgetStats {
  return { requests: 0, retries: 0, rateLimited: 0, failures: 0, cacheHits: 0, coalesced: 0 };
}

/** Worth keeping: a definite answer (found, or not found), never an error or a refusal. */
function defaultCacheable(res: JsonResponse): boolean {
  return res.status === 200 || res.status === 404;
}

function toJsonResponse(status: number, text: string, fromCache: boolean): JsonResponse {
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status, body, text: body === undefined ? text.slice(0, ERROR_TEXT_BYTES) : '', fromCache };
}

/** The body as given, failing with `too_large` past `maxBytes` (the socket is released). */
function capped(body: Readable, maxBytes: number, where: string): Readable {
  let total = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      if (total > maxBytes) cb(tooLarge(where, maxBytes));
      else cb(null, chunk);
    },
  });
  pipeline(body, limiter, () => {});
  return limiter;
}

/** Drops a body we will not read; undici reports a destroyed body as an error nobody must see. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function tooLarge(where: string, maxBytes: number): HttpError {
  return new HttpError('too_large', `${where}: the answer is larger than ${Math.round(maxBytes / 1024)} KB`);
}

const URL_SECRET = /([?&][^=&\s]*(?:key|token|secret)[^=&\s]*=)[^&\s"']+/gi;

function toHttpError(err: unknown, where: string, timedOut: boolean, timeoutMs: number): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { code?: string; message?: string; name?: string };
  if (
    timedOut ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_BODY_TIMEOUT' ||
    e.code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new HttpError('timeout', `${where}: no answer within ${seconds(timeoutMs)} s`);
  }
  const detail = (e.message ?? String(err)).replace(URL_SECRET, '$1***');
  return new HttpError('network', `${where}: ${detail}${e.code && !detail.includes(e.code) ? ` (${e.code})` : ''}`);
}

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

function sortedHeaders(headers: Record<string, string> | undefined): [string, string][] {
  return Object.entries(headers ?? {})
    .map(([k, v]) => [k.toLowerCase(), v] as [string, string])
    .sort(([a], [b]) => a.localeCompare(b));
}

function hashKey(parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
