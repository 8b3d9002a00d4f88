import type { enrichMethods } from '../../../shared/api/enrich.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function enrichHandlers(_s: Services): HandlersFor<typeof enrichMethods> {
  return {};
}
