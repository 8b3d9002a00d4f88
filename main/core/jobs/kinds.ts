import type { JobKind } from '../../../shared/api/jobs.ts';

/** What a job is about; decides its coalescing key (one queued job per target and kind). */
export type JobScope = 'item' | 'library' | 'folder' | 'global';

/** How the queue treats one kind of job. */
export interface JobKindSpec {
  scope: JobScope;
  /** Most jobs of this kind running at once (CPU-bound kinds low, network-bound higher). */
  concurrency: number;
  /** Tries before the job is marked failed. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt, with jitter, up to `MAX_BACKOFF_MS`. */
  backoffMs: number;
}

/**
 * The kinds table. Enrichment and downloads talk to providers that may be down for hours, so they
 * get many slow retries; scans and publishing touch only local files and fail fast.
 */
export const JOB_KIND_SPECS: Record<JobKind, JobKindSpec> = {
  'scan-library': { scope: 'library', concurrency: 1, maxAttempts: 3, backoffMs: 60_000 },
  'scan-folder': { scope: 'folder', concurrency: 2, maxAttempts: 3, backoffMs: 10_000 },
  'enrich-item': { scope: 'item', concurrency: 4, maxAttempts: 8, backoffMs: 60_000 },
  'autoselect-item': { scope: 'item', concurrency: 2, maxAttempts: 3, backoffMs: 30_000 },
  download: { scope: 'item', concurrency: 4, maxAttempts: 8, backoffMs: 60_000 },
  'publish-item': { scope: 'item', concurrency: 2, maxAttempts: 5, backoffMs: 30_000 },
  verify: { scope: 'global', concurrency: 1, maxAttempts: 3, backoffMs: 10 * 60_000 },
  gc: { scope: 'global', concurrency: 1, maxAttempts: 3, backoffMs: 10 * 60_000 },
  rebuild: { scope: 'global', concurrency: 1, maxAttempts: 3, backoffMs: 60_000 },
};

/** No retry waits longer than this, however many attempts came before. */
export const MAX_BACKOFF_MS = 6 * 60 * 60_000;

/**
 * Priorities (higher runs first). Steps a job queues after itself inherit its priority, so a
 * flow the user started stays ahead of background work all the way to publishing.
 */
export const PRIORITY = {
  user: 100,
  webhook: 80,
  pipeline: 50,
  schedule: 10,
} as const;

export interface CoalesceTarget {
  kind: JobKind;
  itemId?: number | null | undefined;
  libraryId?: number | null | undefined;
  payload?: Record<string, unknown> | undefined;
}

/**
 * The key that makes a second request for the same work join the queued job instead of adding
 * one. Global kinds limited to some items (verify or rebuild of a selection) key on the sorted ids.
 */
export function coalesceKeyFor(target: CoalesceTarget): string {
  const { kind } = target;
  switch (JOB_KIND_SPECS[kind].scope) {
    case 'item':
      return `${kind}:item:${target.itemId ?? 'none'}`;
    case 'library':
      return `${kind}:library:${target.libraryId ?? 'all'}`;
    case 'folder':
      return `${kind}:folder:${String(target.payload?.folder ?? '')}`;
    case 'global': {
      const ids = target.payload?.itemIds;
      return Array.isArray(ids) && ids.length > 0
        ? `${kind}:items:${[...ids].map(Number).sort((a, b) => a - b).join(',')}`
        : kind;
    }
  }
}
