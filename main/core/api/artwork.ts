import type { artworkMethods } from '../../../shared/api/artwork.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function artworkHandlers(s: Services): HandlersFor<typeof artworkMethods> {
  return {
    'item-artwork': async ({ itemId, type }) => s.select.itemArtwork(itemId, type),
    'artwork-select': async (params, options) =>
      s.select.select(params, options.signal ? { signal: options.signal } : {}),
    'artwork-lock': async (params) => s.select.setLock(params, true),
    'artwork-unlock': async (params) => s.select.setLock(params, false),
    'candidate-block': async ({ candidateId }) => s.select.setBlocked(candidateId, true),
    'candidate-unblock': async ({ candidateId }) => s.select.setBlocked(candidateId, false),
    'artwork-autoselect': async ({ itemIds, all }, options) => {
      let ids: number[];
      if (all) {
        ids = (await s.db.selectFrom('items').select('id').orderBy('id').execute()).map((r) => r.id);
      } else {
        ids = [...new Set(itemIds ?? [])];
        const found = await s.db.selectFrom('items').select('id').where('id', 'in', ids).execute();
        const missing = ids.filter((id) => !found.some((r) => r.id === id));
        if (missing.length > 0) throw new ApiError('not_found', `There is no item ${missing.join(', ')}`, 'itemIds');
      }
      return s.select.autoselect(ids, options);
    },
    'artwork-rescore': async ({ itemId, retryFailed }, options) =>
      s.select.scoreItem(itemId, {
        fetchPreviews: true,
        ...(retryFailed ? { retryFailed } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    'field-set': async ({ itemId, field, value }) => s.select.setField(itemId, field, value),
    'field-lock': async ({ itemId, field }) => s.select.setFieldLock(itemId, field, true),
    'field-unlock': async ({ itemId, field }) => s.select.setFieldLock(itemId, field, false),
  };
}
