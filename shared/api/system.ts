import { z } from 'zod';
import { method, type MethodSpec } from './define.ts';
import type { SettingView } from '../settings.ts';

export interface StatusResult {
  version: string;
  dataDir: string;
  database: { path: string; schemaVersion: string; sizeBytes: number };
  libraries: number;
  items: { total: number; byState: Record<string, number> };
  cache: { blobs: number; bytes: number; byType: Record<string, { files: number; bytes: number }> };
  jobs: { queued: number; running: number; failed: number };
  providers: { tmdb: { configured: boolean; baseUrl: string }; fanart: { configured: boolean; baseUrl: string } };
  demo: boolean;
}

export const systemMethods = {
  status: method<StatusResult>()({
    summary: 'Engine, database, library, cache and job status.',
    params: z.object({}).strict(),
  }),
  'config-list': method<SettingView[]>()({
    summary: 'Every setting with its effective value (secrets masked).',
    params: z.object({}).strict(),
  }),
  'config-get': method<SettingView>()({
    summary: 'One setting.',
    params: z.object({ key: z.string() }).strict(),
  }),
  'config-set': method<SettingView>()({
    summary: 'Change one setting; the value is validated against its type.',
    params: z.object({ key: z.string(), value: z.unknown() }).strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
