import type { enrichMethods } from '../../../shared/api/enrich.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function enrichHandlers(s: Services): HandlersFor<typeof enrichMethods> {
  return {
    enrich: async ({ itemIds, all, force }, { onProgress, signal }) => {
      const ids = all ? await s.enrich.allItemIds() : (itemIds ?? []);
      return s.enrich.enrichItems(ids, { force, signal, onProgress });
    },
    identify: async ({ itemId, tmdbId }, { signal }) => s.enrich.identify(itemId, tmdbId, { signal }),
    'match-search': async ({ itemId, query, year }, { signal }) =>
      s.enrich.matchSearch(itemId, query, year, { signal }),
    'candidates-list': async ({ itemId, type }) => s.enrich.listCandidates(itemId, type),
  };
}
