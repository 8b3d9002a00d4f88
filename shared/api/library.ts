import type { MethodSpec } from './define.ts';

export const libraryMethods = {} as const satisfies Record<string, MethodSpec>;
