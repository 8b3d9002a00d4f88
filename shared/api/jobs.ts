import { z } from 'zod';
import { method, type MethodSpec } from './define.ts';
import type { Progress } from './index.ts';
import type { ProviderId } from '../settings.ts';

/**
 * Every kind of background job. Each kind is one idempotent step: running it twice leaves the
 * same result as running it once, so a job re-queued after a crash can never do harm.
 */
export const JOB_KINDS = [
  'scan-library',
  'scan-folder',
  'enrich-item',
  'autoselect-item',
  'download',
  'publish-item',
  'verify',
  'gc',
  'rebuild',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export function isJobKind(value: string): value is JobKind {
  return (JOB_KINDS as readonly string[]).includes(value);
}

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Kinds a user may start from the UI or CLI, and what each needs. */
export const USER_JOB_KINDS = [
  'scan-library', // libraryId (or every library when omitted)
  'scan-folder', // itemIds: rescans each item's folder
  'enrich-item', // itemIds
  'autoselect-item', // itemIds
  'download', // itemIds
  'publish-item', // itemIds
  'verify', // itemIds optional
  'gc',
  'rebuild', // itemIds optional
] as const satisfies readonly JobKind[];

/** One job as the Activity view and `posterity jobs list` show it. */
export interface JobView {
  id: number;
  kind: JobKind | string;
  state: JobState;
  itemId: number | null;
  /** The item's title, when the job is about one item. */
  itemTitle: string | null;
  libraryId: number | null;
  /** Higher runs first: user actions before webhooks before the pipeline before the schedule. */
  priority: number;
  attempts: number;
  maxAttempts: number;
  /** Earliest start (a retry waits here with its backoff). */
  runAfter: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: Progress | null;
  message: string | null;
  error: string | null;
  payload: Record<string, unknown>;
}

/** How much work there is, all of it (a list shows only the newest). */
export interface JobCounts {
  queued: number;
  running: number;
  /**
   * Failed work still undone: per kind and target, its latest failure, unless a later job of the
   * same kind for the same target has succeeded. Earlier failures stay in `jobs-list` (the full
   * history) but are not counted again.
   */
  failed: number;
  /** Waiting and running jobs of each kind that has any. */
  byKind: Partial<Record<JobKind, { queued: number; running: number }>>;
}

export interface JobsEnqueueResult {
  /** One id per job queued (an already queued job for the same target is reused, not doubled). */
  jobIds: number[];
}

/**
 * A provider whose most recent calls fail for a reason that is not about one movie: it cannot be
 * reached (down, overloaded, timing out, refusing connections) or it refuses the API key. It ends
 * by itself with the next call that gets an answer.
 */
export interface ProviderOutage {
  provider: ProviderId;
  /** Its name as users know it ("TMDB", "Fanart.tv"). */
  label: string;
  reason: 'unreachable' | 'auth';
  /** When calls started failing this way (engine clock, ms). */
  since: number;
  /** The latest failure in technical words ("HTTP 503", "connect ECONNREFUSED…"), for details. */
  detail: string;
}

export interface WebhookInfo {
  /** The secret Radarr/Sonarr must send; masked unless `reveal` was asked. */
  secret: string;
  /** URLs to paste into Radarr/Sonarr → Settings → Connect → Webhook (secret in the query). */
  radarrUrl: string;
  sonarrUrl: string;
  /** Whether a server in this process is listening for them right now. */
  listening: boolean;
}

export const jobMethods = {
  'jobs-list': method<JobView[]>()({
    summary: 'Jobs, newest first: queued, running and the kept history.',
    params: z
      .object({
        state: z.enum(JOB_STATES).optional(),
        kind: z.enum(JOB_KINDS).optional(),
        itemId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(10_000).default(200),
      })
      .strict(),
  }),
  'jobs-cancel': method<JobView>()({
    summary: 'Cancel a queued job, or stop a running one.',
    params: z.object({ id: z.number().int().positive() }).strict(),
  }),
  'jobs-counts': method<JobCounts>()({
    summary: 'How many jobs wait, run and have failed, in all and by kind.',
    params: z.object({}).strict(),
  }),
  'jobs-cancel-queued': method<{ cancelled: number }>()({
    summary: 'Cancel every waiting job (or those of one kind); running jobs go on.',
    params: z.object({ kind: z.enum(JOB_KINDS).optional() }).strict(),
  }),
  'jobs-retry-failed': method<{ queued: number }>()({
    summary:
      'Queue again the work of every failed job not since done (or those of one kind), once each; work already waiting or running is left alone.',
    params: z.object({ kind: z.enum(JOB_KINDS).optional() }).strict(),
  }),
  'provider-outages': method<ProviderOutage[]>()({
    summary: 'Providers whose latest calls fail because they cannot be reached or refuse the API key.',
    params: z.object({}).strict(),
  }),
  'jobs-enqueue': method<JobsEnqueueResult>()({
    summary: 'Queue a job for each selected item (or a library, or everything) ahead of automatic work.',
    params: z
      .object({
        kind: z.enum(USER_JOB_KINDS),
        itemIds: z.array(z.number().int().positive()).max(100_000).optional(),
        libraryId: z.number().int().positive().optional(),
        /** Re-fetch from providers even when the cached answer is fresh (enrich). */
        force: z.boolean().optional(),
        /** Continue with the next automatic steps afterwards, as far as `automation.level` allows. */
        chain: z.boolean().optional(),
      })
      .strict(),
  }),
  'webhook-info': method<WebhookInfo>()({
    summary: 'The webhook secret and URLs to configure Radarr and Sonarr with.',
    params: z.object({ reveal: z.boolean().default(false) }).strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
