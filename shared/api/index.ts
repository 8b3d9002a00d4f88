import type { z } from 'zod';
import type { MethodSpec } from './define.ts';
import { systemMethods } from './system.ts';
import { libraryMethods } from './library.ts';
import { enrichMethods } from './enrich.ts';
import { artworkMethods } from './artwork.ts';
import { cacheMethods } from './cache.ts';
import { publishMethods } from './publish.ts';
import { jobMethods } from './jobs.ts';

export * from './errors.ts';
export * from './events.ts';
export type { MethodSpec } from './define.ts';

/**
 * The whole API as one table: every door (in-process, Electron IPC, HTTP) exposes exactly these
 * methods, each taking one JSON object and resolving to one JSON value.
 */
export const API = {
  ...systemMethods,
  ...libraryMethods,
  ...enrichMethods,
  ...artworkMethods,
  ...cacheMethods,
  ...publishMethods,
  ...jobMethods,
} as const;

export type Api = typeof API;
export type MethodName = keyof Api;

/** What a caller passes (defaults still optional). */
export type ParamsOf<M extends MethodName> = z.input<Api[M]['params']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedParamsOf<M extends MethodName> = z.output<Api[M]['params']>;
export type ResultOf<M extends MethodName> = Api[M] extends MethodSpec<z.ZodType, infer R> ? R : never;

export const METHOD_NAMES = Object.keys(API) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(API, name);
}

/** Optional hooks a long-running call may use; doors supply what they can. */
export interface CallOptions {
  /** Called with progress of long work (a CLI draws a bar, HTTP sends events). */
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

export interface Progress {
  done: number;
  total: number;
  /** What is being worked on now, for display. */
  label?: string;
}

/** The client side of any door. */
export interface ApiClient {
  call<M extends MethodName>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>>;
}
