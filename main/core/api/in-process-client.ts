import type { ApiClient } from '../../../shared/api/index.ts';
import type { Dispatch } from './dispatch.ts';

/** The in-process door (CLI, tests): the same dispatcher, no serialisation. */
export function inProcessClient(dispatch: Dispatch): ApiClient {
  return {
    call: (method, params, options) => dispatch(method, params, options) as never,
  };
}
