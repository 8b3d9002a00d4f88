import type { z } from 'zod';
import {
  API,
  ApiError,
  isMethodName,
  type ApiErrorShape,
  type CallOptions,
  type MethodName,
  type ParsedParamsOf,
  type ResultOf,
} from '../../../shared/api/index.ts';
import type { Logger } from '../log.ts';

/** A handler gets its validated parameter object and the door's call options. */
export type Handler<M extends MethodName> = (params: ParsedParamsOf<M>, options: CallOptions) => Promise<ResultOf<M>>;

/** The engine's API: one handler per method in the shared contract, checked by the compiler. */
export type Handlers = { [M in MethodName]: Handler<M> };

/** Handlers for one domain's slice of the contract. */
export type HandlersFor<T> = { [M in keyof T & MethodName]: Handler<M> };

export type Dispatch = (method: string, params: unknown, options?: CallOptions) => Promise<unknown>;

/**
 * The single dispatcher every door calls. Unknown methods and invalid parameters are refused
 * before any handler runs; anything a handler throws leaves as an ApiError.
 */
export function createDispatcher(handlers: Handlers, log: Logger): Dispatch {
  return async (method, params, options = {}) => {
    if (!isMethodName(method)) throw new ApiError('unknown_method', `Unknown API method "${method}"`);
    const parsed = API[method].params.safeParse(params ?? {});
    if (!parsed.success) throw badRequest(parsed.error);
    const handler = handlers[method] as (p: unknown, o: CallOptions) => Promise<unknown>;
    try {
      return await handler(parsed.data, options);
    } catch (err) {
      throw toApiError(err, log, method);
    }
  };
}

function badRequest(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'Invalid parameters';
  return new ApiError('bad_request', message, field);
}

/** Known errors pass through; anything else is logged in full and crosses as `internal`. */
export function toApiError(err: unknown, log: Logger, method?: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new ApiError('cancelled', 'Cancelled');
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && e.path) {
    return new ApiError('io_error', `${describeErrno(e.code)}: ${e.path}`);
  }
  log.error(`Unexpected error${method ? ` in ${method}` : ''}`, { error: e?.stack ?? String(err) });
  return new ApiError('internal', `Something went wrong${method ? ` in ${method}` : ''}: ${e?.message ?? String(err)}`);
}

export function errorShape(err: unknown, log: Logger): ApiErrorShape {
  return toApiError(err, log).toJSON();
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'Not found',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOSPC: 'The disk is full',
  EROFS: 'The filesystem is read-only',
  EISDIR: 'A folder is in the way',
  ENOTDIR: 'Not a folder',
  EEXIST: 'Already exists',
  ELOOP: 'Too many symbolic links',
  ENAMETOOLONG: 'The name is too long',
};

function describeErrno(code: string): string {
  return ERRNO_TEXT[code] ?? code;
}
