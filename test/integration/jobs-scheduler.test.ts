import { afterEach, describe, expect, it } from 'vitest';
import type { ItemState } from '../../main/core/db/schema.ts';
import { REFRESH_PER_TICK } from '../../main/core/jobs/scheduler.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

async function engineWithLibrary() {
  t = await makeTestEngine();
  const s = t.engine.services;
  const lib = await s.library.addLibrary({ path: t.tempDir('movies') });
  const queued = async (kind?: string) => {
    let q = s.db.selectFrom('jobs').selectAll().where('state', '=', 'queued');
    if (kind) q = q.where('kind', '=', kind);
    return q.execute();
  };
  const addItems = async (n: number, over: { state?: ItemState; monitored?: 0 | 1; enriched_at?: number | null; enrich_after?: number | null }) => {
    const now = s.clock.now();
    const rows = Array.from({ length: n }, (_, i) => ({
      library_id: lib.id,
      kind: 'movie' as const,
      folder: `${lib.path}/m${Math.random().toString(36).slice(2)}${i}`,
      basename: `m${i}`,
      layout: 'own-folder' as const,
      title: `Movie ${i}`,
      state: over.state ?? ('enriched' as const),
      monitored: over.monitored ?? 1,
      enriched_at: over.enriched_at === undefined ? now : over.enriched_at,
      enrich_after: over.enrich_after === undefined ? null : over.enrich_after,
      created_at: now,
      updated_at: now,
    }));
    await s.db.insertInto('items').values(rows).execute();
  };
  return { s, clock: t.clock, lib, queued, addItems };
}

describe('the scheduler', () => {
  it('keeps rescanning a library whose folder was offline, so it comes back when the disk does', async () => {
    const { s, lib, queued } = await engineWithLibrary();
    await s.settings.set('schedule.rescanHours', 6);
    await s.db.updateTable('libraries').set({ state: 'missing' }).where('id', '=', lib.id).execute();
    expect(await s.jobs.tick()).toMatchObject({ rescans: 1 });
    expect((await queued('scan-library')).map((j) => j.library_id)).toEqual([lib.id]);
  });

  it('queues each periodic duty once per interval, remembering across restarts through the jobs table', async () => {
    const { s, clock, queued } = await engineWithLibrary();
    await s.settings.set('schedule.rescanHours', 6);
    await s.settings.set('schedule.verifyHours', 24);
    await s.settings.set('schedule.gcHours', 48);
    expect(await s.jobs.tick()).toMatchObject({ rescans: 1, verify: true, gc: true });
    expect((await queued()).map((j) => j.kind).sort()).toEqual(['gc', 'scan-library', 'verify']);
    expect((await queued())[0]!.priority).toBe(10);
    expect(await s.jobs.tick()).toMatchObject({ rescans: 0, verify: false, gc: false });
    // The jobs ran.
    await s.db.updateTable('jobs').set({ state: 'done', finished_at: clock.now() }).execute();

    clock.advance(5 * HOUR);
    expect(await s.jobs.tick()).toMatchObject({ rescans: 0, verify: false, gc: false });
    clock.advance(1 * HOUR);
    expect(await s.jobs.tick()).toMatchObject({ rescans: 1, verify: false, gc: false });
    clock.advance(18 * HOUR);
    expect(await s.jobs.tick()).toMatchObject({ verify: true, gc: false });
    clock.advance(24 * HOUR);
    expect(await s.jobs.tick()).toMatchObject({ gc: true });
  });

  it('does nothing for a duty whose interval is 0', async () => {
    const { s } = await engineWithLibrary();
    for (const key of ['schedule.rescanHours', 'schedule.verifyHours', 'schedule.gcHours', 'schedule.refreshDays'] as const) await s.settings.set(key, 0);
    expect(await s.jobs.tick()).toMatchObject({ rescans: 0, refreshes: 0, verify: false, gc: false });
  });

  it('re-enriches monitored movies on a slow cycle, spread over days and a few at a time', async () => {
    const { s, clock, queued, addItems } = await engineWithLibrary();
    for (const key of ['schedule.rescanHours', 'schedule.verifyHours', 'schedule.gcHours'] as const) await s.settings.set(key, 0);
    const t0 = clock.now();
    // 300 movies enriched the same night, as after a first import (the enrich domain sets enrich_after).
    await addItems(300, { enriched_at: t0, enrich_after: t0 + 30 * DAY });
    await addItems(10, { enriched_at: t0, enrich_after: t0 + 30 * DAY, monitored: 0 });
    await addItems(10, { state: 'needs_match', enriched_at: null });

    const perDay = new Map<number, number>();
    let biggestTick = 0;
    for (let day = 0; day <= 40; day++) {
      clock.set(t0 + day * DAY);
      for (let i = 0; i < 30; i++) {
        const r = await s.jobs.tick();
        biggestTick = Math.max(biggestTick, r.refreshes);
        if (r.refreshes === 0) break;
        perDay.set(day, (perDay.get(day) ?? 0) + r.refreshes);
      }
      // The queued refreshes run: the items are enriched again now.
      const ran = await queued('enrich-item');
      if (ran.length > 0) {
        const ids = ran.map((j) => j.item_id!);
        await s.db.updateTable('jobs').set({ state: 'done', finished_at: clock.now() }).where('kind', '=', 'enrich-item').execute();
        await s.db.updateTable('items').set({ enriched_at: clock.now(), enrich_after: clock.now() + 30 * DAY }).where('id', 'in', ids).execute();
      }
    }
    const total = [...perDay.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(300); // every monitored, enriched movie once; unmonitored and unmatched never
    expect(Math.min(...perDay.keys())).toBeGreaterThanOrEqual(25);
    expect(Math.max(...perDay.keys())).toBeLessThanOrEqual(35);
    expect(perDay.size).toBeGreaterThanOrEqual(8); // spread, not all on day 30
    expect(Math.max(...perDay.values())).toBeLessThan(100);
    expect(biggestTick).toBeLessThanOrEqual(REFRESH_PER_TICK);
    const jobs = await s.db.selectFrom('jobs').select(['priority', 'payload']).where('kind', '=', 'enrich-item').execute();
    expect(jobs.every((j) => j.priority === 10 && JSON.parse(j.payload).chain === true)).toBe(true);
  });

  it('retries a failed enrichment when the enrich domain said, not in a loop', async () => {
    const { s, clock, queued, addItems } = await engineWithLibrary();
    for (const key of ['schedule.rescanHours', 'schedule.verifyHours', 'schedule.gcHours'] as const) await s.settings.set(key, 0);
    // TMDB was down: the item got a retry time one hour out.
    await addItems(1, { state: 'identified', enriched_at: null, enrich_after: clock.now() + HOUR });
    expect((await s.jobs.tick()).refreshes).toBe(0);
    clock.advance(HOUR + 20 * 60_000);
    expect((await s.jobs.tick()).refreshes).toBe(1);
    expect((await s.jobs.tick()).refreshes).toBe(0); // already queued
    // The job failed again at once (provider still down) and the item kept its old retry time:
    // it is not queued again before the hour is over.
    await s.db.updateTable('jobs').set({ state: 'failed', finished_at: clock.now() }).execute();
    expect((await s.jobs.tick()).refreshes).toBe(0);
    clock.advance(HOUR);
    expect((await s.jobs.tick()).refreshes).toBe(1);
    expect(await queued('enrich-item')).toHaveLength(1);
  });

  it('queues no enrichment at automation level off', async () => {
    const { s, clock, addItems } = await engineWithLibrary();
    await s.settings.set('automation.level', 'off');
    await addItems(5, { enriched_at: clock.now() - 60 * DAY, enrich_after: clock.now() - DAY });
    expect((await s.jobs.tick()).refreshes).toBe(0);
  });

  it('forgets finished jobs after jobs.historyDays and keeps the rest', async () => {
    const { s, clock } = await engineWithLibrary();
    await s.settings.set('jobs.historyDays', 7);
    const now = clock.now();
    const row = (state: 'done' | 'failed' | 'cancelled' | 'queued', finishedAt: number | null) => ({
      kind: 'gc',
      state,
      run_after: now,
      created_at: now - 20 * DAY,
      finished_at: finishedAt,
    });
    await s.db
      .insertInto('jobs')
      .values([row('done', now - 8 * DAY), row('failed', now - 8 * DAY), row('cancelled', now - 6 * DAY), row('done', now - DAY), row('queued', null)])
      .execute();
    expect((await s.jobs.tick()).pruned).toBe(2);
    expect((await s.db.selectFrom('jobs').select('state').where('created_at', '=', now - 20 * DAY).execute()).map((r) => r.state).sort()).toEqual([
      'cancelled',
      'done',
      'queued',
    ]);
  });
});
