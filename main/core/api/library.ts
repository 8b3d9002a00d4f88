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
      const summary =
        libraryId === undefined ? await s.library.scanAll(options) : await s.library.scanLibrary(libraryId, options);
      // As after a scan job: the user's pictures get their copy in the cache before anything
      // (an upgrade, a disk swap) can wipe them from the library.
      const items = await s.db
        .selectFrom('items')
        .select('id')
        .where('library_id', 'in', summary.libraryIds.length > 0 ? summary.libraryIds : [-1])
        .execute();
      const kept = await s.cache.protectOriginals(
        items.map((r) => r.id),
        options,
      );
      return { ...summary, originalsKept: kept.copied };
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
