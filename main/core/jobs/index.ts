import type { Services } from '../services.ts';

/** The jobs domain's services, built once by the composition root. */
export interface JobsDomain {
  /** Releases resources (sockets, watchers, timers); called when the engine closes. */
  close?(): Promise<void>;
}

export function createJobsDomain(_s: Services): JobsDomain {
  return {};
}
