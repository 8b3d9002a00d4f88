import type { MethodSpec } from './define.ts';

export const publishMethods = {} as const satisfies Record<string, MethodSpec>;
