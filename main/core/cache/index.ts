import type { Services } from '../services.ts';

/** The cache domain's services, built once by the composition root. */
export interface CacheDomain {
  /** Releases resources (sockets, watchers, timers); called when the engine closes. */
  close?(): Promise<void>;
}

export function createCacheDomain(_s: Services): CacheDomain {
  return {};
}
