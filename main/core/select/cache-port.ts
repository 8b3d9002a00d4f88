import type { BlobRow } from '../db/schema.ts';
import type { Services } from '../services.ts';

/**
 * The part of the cache domain (issue 6) selection relies on, as agreed between the domains:
 * downloads go through the cache, which validates, hashes (sha256 and perceptual) and stores
 * them content-addressed. Narrow on purpose, so selection's needs are visible in one place.
 */
export interface CachePort {
  ingestUrl(
    url: string,
    options: { provider: string; area: 'assets' | 'previews'; candidateId?: number; signal?: AbortSignal },
  ): Promise<BlobRow>;
  /** Absolute path of an available blob, or null. */
  pathOf(sha: string): Promise<string | null>;
}

/** The cache seen through the agreed contract, reached at call time (domains are built in any order). */
export function cachePort(s: Services): CachePort {
  return {
    ingestUrl: (url, options) => s.cache.ingestUrl(url, options),
    pathOf: (sha) => s.cache.pathOf(sha),
  };
}
