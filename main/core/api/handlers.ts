import type { Services } from '../services.ts';
import type { Handlers } from './dispatch.ts';
import { systemHandlers } from './system.ts';
import { libraryHandlers } from './library.ts';
import { enrichHandlers } from './enrich.ts';
import { artworkHandlers } from './artwork.ts';
import { cacheHandlers } from './cache.ts';
import { publishHandlers } from './publish.ts';
import { jobHandlers } from './jobs.ts';

/** Merges every domain's handlers; the Handlers type makes a missing method a compile error. */
export function createHandlers(s: Services): Handlers {
  return {
    ...systemHandlers(s),
    ...libraryHandlers(s),
    ...enrichHandlers(s),
    ...artworkHandlers(s),
    ...cacheHandlers(s),
    ...publishHandlers(s),
    ...jobHandlers(s),
  };
}
