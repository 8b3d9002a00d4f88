import type { JobKind } from '../../../shared/api/jobs.ts';
import type { AutomationLevel } from '../../../shared/settings.ts';
import type { ItemState } from '../db/schema.ts';

/** What the pipeline needs to know about an item to decide its next step. */
export interface PipelineItem {
  monitored: boolean;
  state: ItemState;
  /** Enriched at least once. */
  enriched: boolean;
  /** Has been published before (so there is art in the library worth restoring). */
  published: boolean;
}

const LEVEL_RANK: Record<AutomationLevel, number> = { off: 0, candidates: 1, autoselect: 2, publish: 3 };

/** Whether `level` reaches `needed`. */
export function reaches(level: AutomationLevel, needed: AutomationLevel): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[needed];
}

/**
 * The automatic chain for monitored items, and how far each level lets it go:
 * scan → enrich (candidates) → autoselect → download (autoselect) → publish (publish).
 */
const CHAIN: Partial<Record<JobKind, { next: JobKind; level: AutomationLevel; needs?: ItemState }>> = {
  'enrich-item': { next: 'autoselect-item', level: 'autoselect', needs: 'enriched' },
  'autoselect-item': { next: 'download', level: 'autoselect' },
  download: { next: 'publish-item', level: 'publish' },
};

/**
 * The step after `done` for an item, or null. Unmonitored items never move on by themselves:
 * for them automation is limited to rescans, renames and deletions.
 */
export function nextStep(done: JobKind, level: AutomationLevel, item: PipelineItem): JobKind | null {
  const link = CHAIN[done];
  if (!link || !item.monitored || !reaches(level, link.level)) return null;
  if (link.needs && item.state !== link.needs) return null;
  return link.next;
}

/**
 * What a rescan of an item's folder leads to. `restore` is set by *arr upgrades and renames: art
 * the item already had is published again from the cache (for every item, monitored or not; it
 * is repair, not new automation). A new monitored item starts its enrichment.
 */
export function afterScan(level: AutomationLevel, item: PipelineItem, restore: boolean): JobKind | null {
  if (item.state === 'missing') return null;
  if (restore && item.published) return 'publish-item';
  if (item.monitored && !item.enriched && reaches(level, 'candidates') && (item.state === 'new' || item.state === 'identified')) {
    return 'enrich-item';
  }
  return null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Re-enrichment spreads over ±15% of the period, so a library enriched in one night is not refreshed in one night. */
export const REFRESH_SPREAD = 0.15;

/** A stable number in [0, 1) per item (Knuth's multiplicative hash), so the spread survives restarts. */
export function itemJitter(itemId: number): number {
  return ((Math.imul(itemId, 2654435761) >>> 0) % 10_000) / 10_000;
}

/** When an item enriched at `enrichedAt` is due for its next re-enrichment. */
export function refreshDueAt(enrichedAt: number, itemId: number, refreshDays: number): number {
  const factor = 1 - REFRESH_SPREAD + 2 * REFRESH_SPREAD * itemJitter(itemId);
  return enrichedAt + Math.round(refreshDays * DAY_MS * factor);
}

/** What the scheduler knows about an item's enrichment times. */
export interface EnrichTiming {
  id: number;
  enrichedAt: number | null;
  /** Set by the enrich domain: the next refresh, or a retry time after a failure. */
  enrichAfter: number | null;
  updatedAt: number;
}

/**
 * When the scheduler should enrich an item next, or null for never. The enrich domain's own
 * `enrich_after` (refresh or retry time) is stretched by up to 30% of its delay with the item's
 * jitter, so items that failed or were enriched together come back spread out; a refresh period
 * shortened since then also counts.
 */
export function enrichDueAt(t: EnrichTiming, refreshDays: number): number | null {
  const times: number[] = [];
  if (t.enrichAfter !== null) {
    const delay = Math.max(0, t.enrichAfter - (t.enrichedAt ?? t.updatedAt));
    times.push(t.enrichAfter + Math.round(itemJitter(t.id) * 2 * REFRESH_SPREAD * delay));
  }
  if (t.enrichedAt !== null && refreshDays > 0) times.push(refreshDueAt(t.enrichedAt, t.id, refreshDays));
  return times.length > 0 ? Math.min(...times) : null;
}
