import type { MethodSpec } from './define.ts';

export const jobMethods = {} as const satisfies Record<string, MethodSpec>;
