import type { SettingKey } from '../../../shared/settings.ts';
import type { HttpBudget } from './http.ts';

/**
 * What each request budget may do. Provider APIs are rate limited and connection capped from
 * settings; image hosts are not rate limited (TMDB's image CDN sits outside the API limit) but
 * still capped per host so a full-library download does not open hundreds of sockets.
 */
export interface BudgetSpec {
  /** Requests per second, from this setting; null = no rate limit. */
  rateSetting: SettingKey | null;
  /** Connections per host, from this setting, else `connections`. */
  connectionsSetting: SettingKey | null;
  connections: number;
  /**
   * Share of the configured rate actually used: pacing at exactly the limit lets a late timer
   * or network jitter put one request too many into some one-second window (a 429 and a pause).
   */
  headroom: number;
  /** Lateness of our own timers made up for, so the average rate holds (see TokenBucket). */
  slackMs: number;
  /** Response bodies are cached in provider_cache under this provider name. */
  provider: string;
}

export const BUDGETS: Readonly<Record<HttpBudget, BudgetSpec>> = {
  tmdb: {
    rateSetting: 'tmdb.requestsPerSecond',
    connectionsSetting: 'tmdb.connections',
    connections: 20,
    headroom: 0.97,
    slackMs: 10,
    provider: 'tmdb',
  },
  fanart: {
    rateSetting: 'fanart.requestsPerSecond',
    connectionsSetting: 'fanart.connections',
    connections: 4,
    headroom: 0.97,
    slackMs: 10,
    provider: 'fanart',
  },
  images: { rateSetting: null, connectionsSetting: null, connections: 8, headroom: 1, slackMs: 0, provider: 'images' },
  players: {
    rateSetting: null,
    connectionsSetting: null,
    connections: 2,
    headroom: 1,
    slackMs: 0,
    provider: 'players',
  },
};

export const HTTP_BUDGETS = Object.keys(BUDGETS) as HttpBudget[];
