import type { Progress } from './index.ts';
import type { ProviderOutage } from './jobs.ts';

/**
 * Events the engine pushes to every listening door (HTTP event stream, Electron IPC), so views
 * update live without polling.
 */
export type EngineEvent =
  | { type: 'progress'; callId: string; method: string; progress: Progress }
  | { type: 'items-changed'; itemIds: number[] }
  | { type: 'libraries-changed' }
  | { type: 'settings-changed'; keys: string[] }
  | { type: 'job'; job: JobEvent }
  /** Many jobs changed at once (a bulk cancel): lists of jobs should be fetched again. */
  | { type: 'jobs-changed' }
  /** A provider became unreachable or refused the key, or answered again: every current outage. */
  | { type: 'provider-outages'; outages: ProviderOutage[] };

/** A job's state as pushed on the event stream (issue 8 fills the queue that emits it). */
export interface JobEvent {
  id: number;
  kind: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  itemId: number | null;
  progress: Progress | null;
  message: string | null;
  error: string | null;
}
