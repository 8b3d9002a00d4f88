import type { artworkMethods } from '../../../shared/api/artwork.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function artworkHandlers(_s: Services): HandlersFor<typeof artworkMethods> {
  return {};
}
