import type { publishMethods } from '../../../shared/api/publish.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';
import { allMovieIds } from '../publish/publisher.ts';

export function publishHandlers(s: Services): HandlersFor<typeof publishMethods> {
  return {
    publish: async ({ itemIds, all, mode, dryRun }, { onProgress, signal }) => {
      const ids = all ? await allMovieIds(s) : [...new Set(itemIds ?? [])];
      return s.publish.publishItems(ids, {
        ...(mode ? { mode } : {}),
        dryRun: dryRun ?? false,
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
    },
    rebuild: async ({ itemIds, dryRun }, { onProgress, signal }) =>
      s.publish.rebuild({
        dryRun: dryRun ?? false,
        ...(itemIds ? { itemIds: [...new Set(itemIds)] } : {}),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      }),
    verify: async ({ itemIds, repair }, { onProgress, signal }) =>
      s.publish.verify({
        repair: repair ?? false,
        ...(itemIds ? { itemIds: [...new Set(itemIds)] } : {}),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      }),
  };
}
