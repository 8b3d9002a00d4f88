import type { Services } from '../services.ts';

/** The library domain's services, built once by the composition root. */
export interface LibraryDomain {
  /** Releases resources (sockets, watchers, timers); called when the engine closes. */
  close?(): Promise<void>;
}

export function createLibraryDomain(_s: Services): LibraryDomain {
  return {};
}
