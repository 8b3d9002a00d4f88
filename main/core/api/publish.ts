import type { publishMethods } from '../../../shared/api/publish.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function publishHandlers(_s: Services): HandlersFor<typeof publishMethods> {
  return {};
}
