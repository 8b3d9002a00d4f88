import type { libraryMethods } from '../../../shared/api/library.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function libraryHandlers(_s: Services): HandlersFor<typeof libraryMethods> {
  return {};
}
