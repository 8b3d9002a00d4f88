import { ApiError } from '../../../shared/api/errors.ts';
import type { libraryMethods } from '../../../shared/api/library.ts';
import { getItem, listItems, setMonitored } from '../library/items-repo.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function libraryHandlers(s: Services): HandlersFor<typeof libraryMethods> {
  return {
    'library-add': async ({ path, kind, name }) => s.library.addLibrary({ path, kind, ...(name ? { name } : {}) }),
    'library-move': async ({ id, path }) => s.library.relocateLibrary(id, path),
    'library-list': async () => s.library.listLibraries(),
    'library-remove': async ({ id }) => {
      const { items } = await s.library.removeLibrary(id);
      return { removed: id, items };
    },
    scan: async ({ libraryId, deep }, { onProgress, signal }) => {
      const options = { deep, ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) };
      return libraryId === undefined ? s.library.scanAll(options) : s.library.scanLibrary(libraryId, options);
    },
    'items-list': async (filter) => listItems(s.db, filter),
    'item-get': async ({ id }) => {
      const item = await getItem(s.db, id);
      if (!item) throw new ApiError('not_found', `No item with id ${id}`, 'id');
      return item;
    },
    'items-set-monitored': async ({ ids, monitored }) => {
      const changed = await setMonitored(s.db, ids, monitored, s.clock.now());
      if (changed.length > 0) s.events.emit({ type: 'items-changed', itemIds: changed });
      return { updated: changed.length };
    },
  };
}
