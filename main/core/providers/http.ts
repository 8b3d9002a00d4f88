import type { Readable } from 'node:stream';

/** Which budget a request is charged to: each provider API has its own rate limit; image hosts share one. */
export type HttpBudget = 'tmdb' | 'fanart' | 'images' | 'players';

export interface HttpRequestOptions {
  budget: HttpBudget;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Per-attempt timeout in ms (headers and body). */
  timeoutMs?: number;
}

export interface JsonRequestOptions extends HttpRequestOptions {
  /** Reuse a cached answer younger than this (ms); 0 or absent = no cache. */
  cacheTtlMs?: number;
  /** Ignore the cache and ask again (the fresh answer is cached). */
  forceRefresh?: boolean;
  /** Cache key; the URL minus credentials when absent. Never contains an API key. */
  cacheKey?: string;
  /**
   * Accept a cached answer only when it was fetched at or after this time (engine clock, ms).
   * A forced run passes its start time: everything is asked again once, and requests repeated
   * within the run (details for metadata and for artwork) reuse the fresh answer.
   */
  freshAfter?: number;
  /** Largest body accepted (bytes); larger answers fail with `too_large`. Default 8 MB. */
  maxBytes?: number;
  /**
   * Whether an answer may be stored in the cache. Default: status 200 or 404 with a JSON body.
   * Providers pass their shape check so a garbled answer is not reused for days.
   */
  cacheable?: (response: JsonResponse) => boolean;
}

export interface JsonResponse {
  status: number;
  /** Parsed JSON; `undefined` when the body was not JSON (an HTML error page, say). */
  body: unknown;
  /** First bytes of a non-JSON body, for error messages. */
  text: string;
  fromCache: boolean;
}

export interface DownloadOptions extends HttpRequestOptions {
  /** The body is cut off and the download fails past this many bytes. */
  maxBytes: number;
}

export interface DownloadResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body; must be consumed or destroyed. It errors if it grows past `maxBytes`. */
  body: Readable;
}

/**
 * Every outside request goes through this client (rule 5): per-budget rate limits and connection
 * caps, retries with backoff on 429/5xx/network errors honouring Retry-After, timeouts, size
 * caps, a response cache, and coalescing of identical in-flight GETs.
 *
 * Errors: network failures after the last retry reject with `HttpError` (`code` network|timeout|
 * too_large); HTTP error statuses are returned, not thrown, so providers can map them.
 */
export interface HttpClient {
  getJson(url: string, options: JsonRequestOptions): Promise<JsonResponse>;
  /** Streams a body (images); retries happen only before the body starts. */
  download(url: string, options: DownloadOptions): Promise<DownloadResponse>;
  /** POST JSON (player notifications); not cached, not coalesced. */
  postJson(url: string, body: unknown, options: HttpRequestOptions): Promise<JsonResponse>;
  /** Counters since the client started, per budget (for summaries and benchmarks). */
  stats(): HttpStats;
  close(): Promise<void>;
}

/** What one budget has done since the client started. */
export interface BudgetStats {
  /** Requests that went on the wire (every attempt counts). */
  requests: number;
  /** Attempts repeated after a 429, a 5xx, a timeout or a network error. */
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /** Requests that failed for good (network error or error status after the last retry). */
  failures: number;
  /** Answers served from the response cache. */
  cacheHits: number;
  /** Callers that joined an identical request already in flight. */
  coalesced: number;
}

export type HttpStats = Record<HttpBudget, BudgetStats>;

export type HttpErrorCode = 'network' | 'timeout' | 'too_large' | 'rate_limited';

export class HttpError extends Error {
  readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
  }
}

/** The URL with credentials removed, for logs, cache keys and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) {
      if (/key|token|secret/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return url.replace(/([?&][^=]*(?:key|token|secret)[^=]*=)[^&]*/gi, '$1***');
  }
}
