import type { jobMethods } from '../../../shared/api/jobs.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

export function jobHandlers(_s: Services): HandlersFor<typeof jobMethods> {
  return {};
}
