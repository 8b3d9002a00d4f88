import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';

/** Query parameters that carry credentials: dropped from cache keys, whatever their value. */
const CREDENTIAL_PARAM = /key|token|secret|password/i;

/**
 * The cache key of a request: budget plus the URL without credentials, parameters sorted, so the
 * same question asked with another key (or parameters in another order) finds the same answer.
 */
export function cacheKeyFor(budget: string, url: string): string {
  try {
    const u = new URL(url);
    const params = [...u.searchParams.entries()].filter(([k]) => !CREDENTIAL_PARAM.test(k));
    params.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
    u.search = new URLSearchParams(params).toString();
    u.hash = '';
    return `${budget} ${u.toString()}`;
  } catch {
    return `${budget} ${url.replace(/([?&][^=]*(?:key|token|secret)[^=]*=)[^&]*/gi, '$1')}`;
  }
}

export interface CachedAnswer {
  status: number;
  body: string;
  fetchedAt: number;
}

const PRUNE_EVERY = 500;

/**
 * Provider answers in the `provider_cache` table. Freshness is decided by the reader (the TTL
 * setting may have changed since the answer was stored); `expires_at` only drives pruning.
 */
export class ResponseCache {
  readonly #db: Db;
  readonly #clock: Clock;
  #writes = 0;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** A stored answer younger than `maxAgeMs` and fetched at or after `freshAfter`, if any. */
  async get(key: string, maxAgeMs: number, freshAfter?: number): Promise<CachedAnswer | null> {
    const row = await this.#db
      .selectFrom('provider_cache')
      .select(['status', 'body', 'fetched_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    const now = this.#clock.now();
    if (now - row.fetched_at >= maxAgeMs) return null;
    if (freshAfter !== undefined && row.fetched_at < freshAfter) return null;
    return { status: row.status, body: row.body, fetchedAt: row.fetched_at };
  }

  async put(key: string, provider: string, status: number, body: string, ttlMs: number): Promise<void> {
    const now = this.#clock.now();
    const values = { status, body, etag: null, fetched_at: now, expires_at: now + ttlMs };
    await this.#db
      .insertInto('provider_cache')
      .values({ key, provider, ...values })
      .onConflict((oc) => oc.column('key').doUpdateSet(values))
      .execute();
    if (++this.#writes % PRUNE_EVERY === 1) await this.prune();
  }

  /** Drops answers past their expiry. */
  async prune(): Promise<number> {
    const res = await this.#db
      .deleteFrom('provider_cache')
      .where('expires_at', '<', this.#clock.now())
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Forgets every answer, or one provider's. */
  async clear(provider?: string): Promise<void> {
    let q = this.#db.deleteFrom('provider_cache');
    if (provider) q = q.where('provider', '=', provider);
    await q.execute();
  }
}
