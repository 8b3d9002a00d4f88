import type { Services } from '../services.ts';

/** The publish domain's services, built once by the composition root. */
export interface PublishDomain {
  /** Releases resources (sockets, watchers, timers); called when the engine closes. */
  close?(): Promise<void>;
}

export function createPublishDomain(_s: Services): PublishDomain {
  return {};
}
