import type { MethodSpec } from './define.ts';

export const artworkMethods = {} as const satisfies Record<string, MethodSpec>;
