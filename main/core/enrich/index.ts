import type { Services } from '../services.ts';

/** The enrich domain's services, built once by the composition root. */
export interface EnrichDomain {
  /** Releases resources (sockets, watchers, timers); called when the engine closes. */
  close?(): Promise<void>;
}

export function createEnrichDomain(_s: Services): EnrichDomain {
  return {};
}
