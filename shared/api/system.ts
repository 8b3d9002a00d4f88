import { z } from 'zod';
import { method, type MethodSpec } from './define.ts';
import { PROVIDER_IDS, type ProviderId, type SettingView } from '../settings.ts';

export interface StatusResult {
  version: string;
  dataDir: string;
  database: { path: string; schemaVersion: string; sizeBytes: number };
  libraries: number;
  items: { total: number; byState: Record<string, number> };
  cache: {
    blobs: number;
    bytes: number;
    byType: Record<string, { files: number; bytes: number }>;
    /** Grid thumbnails on disk (`cache/thumbs/`): derived data, beside the images themselves. */
    thumbnails: { files: number; bytes: number };
    /** Blobs verify could not repair, and the damaged files kept in `cache/quarantine/` (on disk). */
    quarantine: { blobs: number; files: number; bytes: number };
    /** Downloads still to do (resumed at the next start) and those that failed. */
    downloads: { pending: number; failed: number };
  };
  jobs: {
    queued: number;
    running: number;
    failed: number;
    /** The process that runs them (the app or a daemon; this one when `here`), or null: none does. */
    runner: { pid: number; here: boolean } | null;
  };
  providers: { tmdb: { configured: boolean; baseUrl: string }; fanart: { configured: boolean; baseUrl: string } };
  demo: boolean;
}

/** Whether a provider accepted the key (the saved one, or one typed to try), in words for the settings page. */
export interface ProviderTestResult {
  provider: ProviderId;
  ok: boolean;
  message: string;
}

/** Longest key `providers-test` tries. */
const PROVIDER_KEY_MAX = 1024;

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
  'providers-test': method<ProviderTestResult>()({
    summary:
      'Try an API key against its service (one fresh request): `key` when given (never saved), else the saved key.',
    params: z
      .object({
        provider: z.enum(PROVIDER_IDS),
        // A pasted key often carries a stray space or newline; TMDB's longest (a v4 token) is a few hundred characters.
        key: z.string().trim().min(1, 'the key is empty').max(PROVIDER_KEY_MAX, 'too long for an API key').optional(),
      })
      .strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
