import type { Services } from '../services.ts';

/** The select domain's services, built once by the composition root. */
export interface SelectDomain {
  /** Releases resources (sockets, watchers, timers); called when the engine closes. */
  close?(): Promise<void>;
}

export function createSelectDomain(_s: Services): SelectDomain {
  return {};
}
