import type { z } from 'zod';

/**
 * One API method: the zod schema of its single parameter object, and (as a phantom type) what it
 * resolves to. Results are produced by our own code, so only parameters are validated at runtime.
 */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R = unknown> {
  params: P;
  summary: string;
  /** Phantom: never set at runtime, carries the result type. */
  readonly __result?: R;
}

/** `method<Result>()({ params, summary })` — the curried form lets TS infer P while R is given. */
export function method<R>() {
  return <P extends z.ZodType>(spec: { params: P; summary: string }): MethodSpec<P, R> => spec;
}
