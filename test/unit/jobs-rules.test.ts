import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { backoffDelay, isRetryable } from '../../main/core/jobs/backoff.ts';
import { coalesceKeyFor, MAX_BACKOFF_MS } from '../../main/core/jobs/kinds.ts';
import { afterScan, itemJitter, nextStep, refreshDueAt, type PipelineItem } from '../../main/core/jobs/pipeline.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('retry backoff', () => {
  it.each([
    // attempts, random, expected delay (base 1 min)
    [1, 0.5, 1 * MIN],
    [2, 0.5, 2 * MIN],
    [3, 0.5, 4 * MIN],
    [4, 0.5, 8 * MIN],
    [1, 0, 0.75 * MIN],
    [1, 0.999999, 1.25 * MIN],
    [20, 0.5, MAX_BACKOFF_MS],
    [1000, 0.999, MAX_BACKOFF_MS],
  ])('after %i failed tries (jitter %f) waits %i ms', (attempts, random, expected) => {
    expect(backoffDelay({ backoffMs: MIN }, attempts, random)).toBeCloseTo(expected, -1);
  });

  it('keeps a provider outage of hours from turning into a hot loop', () => {
    // Eight tries of an enrichment (the kinds table) span hours, not seconds.
    let total = 0;
    for (let a = 1; a < 8; a++) total += backoffDelay({ backoffMs: MIN }, a, 0);
    expect(total).toBeGreaterThan(1.5 * 60 * MIN);
  });

  it.each([
    [new ApiError('provider_error', 'TMDB is down'), true],
    [new ApiError('io_error', 'disk busy'), true],
    [new ApiError('internal', 'surprise'), true],
    [new Error('socket hang up'), true],
    [new ApiError('bad_request', 'no such folder'), false],
    [new ApiError('not_found', 'item deleted'), false],
    [new ApiError('conflict', 'locked'), false],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), false],
  ])('retries %s: %s', (err, retry) => {
    expect(isRetryable(err)).toBe(retry);
  });
});

describe('coalescing keys', () => {
  it.each([
    [{ kind: 'enrich-item', itemId: 7 }, 'enrich-item:item:7'],
    [{ kind: 'publish-item', itemId: 7 }, 'publish-item:item:7'],
    [{ kind: 'scan-library', libraryId: 2 }, 'scan-library:library:2'],
    [{ kind: 'scan-folder', payload: { folder: '/m/A (2000)' } }, 'scan-folder:folder:/m/A (2000)'],
    [{ kind: 'verify' }, 'verify'],
    [{ kind: 'verify', payload: { itemIds: [9, 3] } }, 'verify:items:3,9'],
    [{ kind: 'gc' }, 'gc'],
  ] as const)('%j → %s', (target, key) => {
    expect(coalesceKeyFor(target)).toBe(key);
  });
});

const item = (over: Partial<PipelineItem> = {}): PipelineItem => ({
  monitored: true,
  state: 'enriched',
  enriched: true,
  published: false,
  ...over,
});

describe('the automatic chain', () => {
  it.each([
    // done, level, item, next
    ['enrich-item', 'publish', item(), 'autoselect-item'],
    ['enrich-item', 'autoselect', item(), 'autoselect-item'],
    ['enrich-item', 'candidates', item(), null],
    ['enrich-item', 'off', item(), null],
    ['enrich-item', 'publish', item({ state: 'needs_match' }), null],
    ['enrich-item', 'publish', item({ monitored: false }), null],
    ['autoselect-item', 'autoselect', item(), 'download'],
    ['autoselect-item', 'publish', item({ monitored: false }), null],
    ['download', 'autoselect', item(), null],
    ['download', 'publish', item(), 'publish-item'],
    ['publish-item', 'publish', item(), null],
  ] as const)('after %s at level %s: %j → %s', (done, level, it_, next) => {
    expect(nextStep(done, level, it_)).toBe(next);
  });

  it.each([
    // level, item, restore, next
    ['publish', item({ state: 'new', enriched: false }), false, 'enrich-item'],
    ['candidates', item({ state: 'identified', enriched: false }), false, 'enrich-item'],
    ['off', item({ state: 'new', enriched: false }), false, null],
    ['publish', item({ state: 'new', enriched: false, monitored: false }), false, null],
    ['publish', item({ state: 'needs_match', enriched: false }), false, null],
    ['publish', item(), false, null],
    // *arr upgrade or rename: the art the item had comes back, monitored or not, any level
    ['publish', item({ published: true }), true, 'publish-item'],
    ['off', item({ published: true, monitored: false }), true, 'publish-item'],
    ['publish', item({ published: false }), true, null],
    ['publish', item({ published: true, state: 'missing' }), true, null],
    // a new movie that arrives by webhook starts its chain
    ['publish', item({ state: 'new', enriched: false }), true, 'enrich-item'],
  ] as const)('a rescan at level %s of %j (restore %s) → %s', (level, it_, restore, next) => {
    expect(afterScan(level, it_, restore)).toBe(next);
  });
});

describe('re-enrichment spread', () => {
  it('stays within ±15% of the period and spreads items across it', () => {
    const enrichedAt = Date.UTC(2026, 0, 1);
    const dues = Array.from({ length: 1000 }, (_, i) => refreshDueAt(enrichedAt, i + 1, 30) - enrichedAt);
    for (const d of dues) {
      expect(d).toBeGreaterThanOrEqual(0.85 * 30 * DAY - 1);
      expect(d).toBeLessThanOrEqual(1.15 * 30 * DAY + 1);
    }
    // A library enriched in one night is refreshed over about nine days, a few items per day.
    const days = new Set(dues.map((d) => Math.floor(d / DAY)));
    expect(days.size).toBeGreaterThanOrEqual(9);
    const perDay = new Map<number, number>();
    for (const d of dues) perDay.set(Math.floor(d / DAY), (perDay.get(Math.floor(d / DAY)) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBeLessThan(200);
  });

  it('gives every item the same jitter after a restart', () => {
    expect(itemJitter(42)).toBe(itemJitter(42));
    expect(itemJitter(42)).not.toBe(itemJitter(43));
  });
});
