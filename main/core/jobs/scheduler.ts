import { opendir } from 'node:fs/promises';
import type { JobKind } from '../../../shared/api/jobs.ts';
import type { Services } from '../services.ts';
import { errorText } from './backoff.ts';
import { coalesceKeyFor, PRIORITY } from './kinds.ts';
import { enrichDueAt, reaches, REFRESH_SPREAD } from './pipeline.ts';
import type { QueueStore } from './queue-store.ts';
import type { EnqueueRequest } from './index.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Real-time interval between ticks; the decisions inside use the engine clock. */
export const TICK_MS = 60_000;
/**
 * Re-enrichments queued per tick at most: a large library is refreshed as a trickle (1,500 an
 * hour) rather than a flood, which keeps providers happy (Artwork Beef's lesson, issue #18).
 */
export const REFRESH_PER_TICK = 25;

export interface TickReport {
  rescans: number;
  refreshes: number;
  verify: boolean;
  gc: boolean;
  pruned: number;
}

export interface Scheduler {
  /** Queues every periodic duty that is due now; safe to call at any time, any number of times. */
  tick(): Promise<TickReport>;
  start(): void;
  stop(): void;
}

/**
 * The periodic duties: library rescans, slow re-enrichment of monitored items (spread per item
 * with a stable jitter), verify-and-repair, cache GC, and pruning the job history. When a duty
 * last ran is read from the jobs table itself, so a restart neither repeats nor forgets one.
 */
export function createScheduler(
  s: Services,
  store: QueueStore,
  enqueue: (request: EnqueueRequest) => Promise<number>,
): Scheduler {
  const log = s.log.child('scheduler');
  let timer: NodeJS.Timeout | undefined;
  let lastPrune = -Infinity;
  let ticking: Promise<TickReport> | null = null;

  const due = async (kind: JobKind, key: string, everyMs: number, now: number, alsoDoneAt: number | null = null) => {
    const last = Math.max(
      (await store.exclusive(() => store.lastQueuedAt(kind, key))) ?? -Infinity,
      alsoDoneAt ?? -Infinity,
    );
    return now - last >= everyMs;
  };

  const tickOnce = async (): Promise<TickReport> => {
    const now = s.clock.now();
    const report: TickReport = { rescans: 0, refreshes: 0, verify: false, gc: false, pruned: 0 };

    const rescanHours = s.settings.get('schedule.rescanHours');
    if (rescanHours > 0) {
      // Libraries whose root was unreachable are rescanned too: that is how they come back online.
      const libraries = await s.db.selectFrom('libraries').select(['id', 'path', 'state', 'last_scan_at']).execute();
      for (const lib of libraries) {
        const key = coalesceKeyFor({ kind: 'scan-library', libraryId: lib.id });
        // An offline library whose folder is back is rescanned at once, not hours later.
        const back = lib.state === 'missing' && (await hasEntries(lib.path));
        if (!back && !(await due('scan-library', key, rescanHours * HOUR_MS, now, lib.last_scan_at))) continue;
        await enqueue({
          kind: 'scan-library',
          libraryId: lib.id,
          priority: PRIORITY.schedule,
          payload: { reason: back ? 'the library folder is back' : 'schedule' },
        });
        report.rescans++;
      }
    }

    if (reaches(s.settings.get('automation.level'), 'candidates')) {
      report.refreshes = await queueEnrichments(now, s.settings.get('schedule.refreshDays'));
    }

    const verifyHours = s.settings.get('schedule.verifyHours');
    if (verifyHours > 0 && (await due('verify', coalesceKeyFor({ kind: 'verify' }), verifyHours * HOUR_MS, now))) {
      await enqueue({ kind: 'verify', priority: PRIORITY.schedule, payload: { repair: true, reason: 'schedule' } });
      report.verify = true;
    }

    const gcHours = s.settings.get('schedule.gcHours');
    if (gcHours > 0 && (await due('gc', coalesceKeyFor({ kind: 'gc' }), gcHours * HOUR_MS, now))) {
      await enqueue({ kind: 'gc', priority: PRIORITY.schedule, payload: { reason: 'schedule' } });
      report.gc = true;
    }

    if (now - lastPrune >= HOUR_MS) {
      lastPrune = now;
      const keepDays = s.settings.get('jobs.historyDays');
      report.pruned = await store.exclusive(() => store.prune(now - keepDays * DAY_MS));
    }
    if (report.rescans || report.refreshes || report.verify || report.gc || report.pruned)
      log.info('Scheduled work queued', { ...report });
    return report;
  };

  /**
   * Monitored items due for enrichment, soonest first, a few per tick: refreshes of enriched
   * items (new candidates can improve unlocked picks) and retries of failed ones at the time the
   * enrich domain set. Items with an enrichment queued or running are skipped, and so is an item
   * whose enrichment job failed within the hour, so a persistent error never spins.
   */
  const queueEnrichments = async (now: number, refreshDays: number): Promise<number> => {
    const earliestRefresh = now - Math.floor(refreshDays * DAY_MS * (1 - REFRESH_SPREAD));
    const rows = await s.db
      .selectFrom('items')
      .select(['id', 'enriched_at', 'enrich_after', 'updated_at'])
      .where('monitored', '=', 1)
      .where('state', 'in', ['new', 'identified', 'enriched'])
      .where((eb) =>
        eb.or([
          eb('enrich_after', '<=', now),
          ...(refreshDays > 0
            ? [eb.and([eb('state', '=', 'enriched'), eb('enriched_at', '<=', earliestRefresh)])]
            : []),
        ]),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('jobs')
              .select('jobs.id')
              .whereRef('jobs.item_id', '=', 'items.id')
              .where('jobs.kind', '=', 'enrich-item')
              .where((eb) =>
                eb.or([
                  eb('jobs.state', 'in', ['queued', 'running']),
                  eb.and([eb('jobs.state', '=', 'failed'), eb('jobs.finished_at', '>', now - HOUR_MS)]),
                ]),
              ),
          ),
        ),
      )
      .orderBy((eb) => eb.fn.coalesce('enrich_after', 'enriched_at'))
      .limit(REFRESH_PER_TICK * 8)
      .execute();
    const dueItems = rows
      .filter((r) => {
        const at = enrichDueAt(
          { id: r.id, enrichedAt: r.enriched_at, enrichAfter: r.enrich_after, updatedAt: r.updated_at },
          refreshDays,
        );
        return at !== null && at <= now;
      })
      .slice(0, REFRESH_PER_TICK);
    for (const item of dueItems) {
      await enqueue({
        kind: 'enrich-item',
        itemId: item.id,
        priority: PRIORITY.schedule,
        payload: { chain: true, reason: 'refresh' },
      });
    }
    return dueItems.length;
  };

  const scheduler: Scheduler = {
    tick: () => {
      // Overlapping ticks would only queue the same work twice over; share the one in flight.
      ticking ??= tickOnce().finally(() => {
        ticking = null;
      });
      return ticking;
    },
    start() {
      if (timer) return;
      const run = () =>
        void scheduler.tick().catch((err: unknown) => log.error('Scheduling failed', { error: errorText(err) }));
      setImmediate(run);
      timer = setInterval(run, TICK_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return scheduler;
}

/** A folder that exists and holds something: an unmounted share's mount point is empty. */
async function hasEntries(folder: string): Promise<boolean> {
  try {
    const dir = await opendir(folder);
    try {
      return (await dir.read()) !== null;
    } finally {
      await dir.close();
    }
  } catch {
    return false;
  }
}
