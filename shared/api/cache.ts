import type { MethodSpec } from './define.ts';

export const cacheMethods = {} as const satisfies Record<string, MethodSpec>;
