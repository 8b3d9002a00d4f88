import type { cacheMethods } from '../../../shared/api/cache.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function cacheHandlers(_s: Services): HandlersFor<typeof cacheMethods> {
  return {};
}
