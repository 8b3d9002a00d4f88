import type { MethodSpec } from './define.ts';

export const enrichMethods = {} as const satisfies Record<string, MethodSpec>;
