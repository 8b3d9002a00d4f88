import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { ASSET_TYPE_SPECS, type AssetType } from '../../shared/asset-types.ts';
import type { SlotRow } from '../../main/core/db/schema.ts';
import type { Services } from '../../main/core/services.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addCandidate, addOriginal, seedItem } from '../integration/select-fixtures.ts';

/*
 * Locks and blocks hold under any sequence of enrichment (simulated: candidate rows inserted and
 * changed directly), auto-select, user choices, locks, unlocks, blocks and unblocks. Each run is
 * a seeded random sequence; a failure names the seed and the steps so it can be replayed.
 */

/** A tiny seeded generator (mulberry32), so every sequence replays from its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    hex: (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
}
type Gen = ReturnType<typeof generator>;

const TYPES: AssetType[] = ['poster', 'fanart'];
const SEQUENCES = 30;
const STEPS = 40;

/** A picture's hash, and near copies of it (a few bits off), so look-alikes arise. */
function nearCopy(g: Gen, hash: string): string {
  const nibbles = hash.split('').map((c) => parseInt(c, 16));
  for (let i = g.int(0, 5); i > 0; i--) {
    const p = g.int(0, 255);
    nibbles[p >> 2]! ^= 1 << (p & 3);
  }
  return nibbles.map((n) => n.toString(16)).join('');
}

let t: TestEngine;
let s: Services;

beforeAll(async () => {
  t = await makeTestEngine();
  s = t.engine.services;
  await s.settings.set('autoselect.counts', { fanart: 3, poster: 1 });
});
afterAll(async () => t?.cleanup());

/** A candidate as enrichment would add it; its full image is already cached so no download runs. */
async function enrichAdd(g: Gen, itemId: number, pictures: string[]): Promise<number> {
  const type = g.pick(TYPES);
  const spec = ASSET_TYPE_SPECS[type];
  const small = g.chance(0.15);
  const hashed = !g.chance(0.1);
  const id = await addCandidate(s, itemId, {
    asset_type: type,
    provider: g.pick(['tmdb', 'fanart']),
    url: `http://127.0.0.1:9/${g.hex(8)}.jpg`,
    width: small ? Math.round(spec.minimum.width / 2) : spec.ideal.width,
    height: small ? Math.round(spec.minimum.height / 2) : spec.ideal.height,
    language: g.pick([null, 'en', 'fr', 'de']),
    vote_average: g.chance(0.5) ? g.int(40, 70) / 10 : null,
    vote_count: g.int(0, 60),
    phash: hashed ? nearCopy(g, g.pick(pictures)) : null,
    hash_error: hashed ? null : 'no hash: test',
  });
  const sha = createHash('sha256').update(`blob-${id}`).digest('hex');
  await s.db
    .insertInto('blobs')
    .values({ sha256: sha, ext: 'jpg', mime: 'image/jpeg', width: 1, height: 1, bytes: 1, phash: null, area: 'assets', created_at: 0, verified_at: null, unreferenced_since: null })
    .execute();
  await s.db.updateTable('candidates').set({ blob_sha: sha }).where('id', '=', id).execute();
  return id;
}

async function enrichChange(g: Gen, itemId: number): Promise<string> {
  const rows = await s.db.selectFrom('candidates').select('id').where('item_id', '=', itemId).execute();
  if (rows.length === 0) return 'enrich-change: none';
  const id = g.pick(rows).id;
  const change = g.pick(['votes', 'language', 'gone', 'back'] as const);
  const set =
    change === 'votes'
      ? { vote_average: g.int(0, 100) / 10, vote_count: g.int(0, 100) }
      : change === 'language'
        ? { language: g.pick([null, 'en', 'fr', 'ja']) }
        : change === 'gone'
          ? { gone_at: s.clock.now() }
          : { gone_at: null };
  await s.db.updateTable('candidates').set(set).where('id', '=', id).execute();
  return `enrich-change ${id} ${change}`;
}

const slotKey = (x: SlotRow) => `${x.asset_type}/${x.rank}`;
const snapshot = async (itemId: number) =>
  s.db.selectFrom('slots').selectAll().where('item_id', '=', itemId).orderBy('asset_type').orderBy('rank').execute();

/** What must hold after automation ran over an item. */
async function checkAfterAutomation(itemId: number, before: SlotRow[], monitored: boolean, log: string[]): Promise<void> {
  const after = await snapshot(itemId);
  const afterByKey = new Map(after.map((x) => [slotKey(x), x]));
  const why = `\n${log.join('\n')}`;
  if (!monitored) {
    expect(after, `unmonitored item changed${why}`).toEqual(before);
    return;
  }
  const keepOriginals = !s.settings.get('autoselect.replaceOriginals');
  for (const slot of before) {
    if (slot.locked || (slot.chosen_by === 'original' && keepOriginals)) {
      expect(afterByKey.get(slotKey(slot)), `locked/original slot ${slotKey(slot)} changed${why}`).toEqual(slot);
    }
    // An original is replaced only by a choice, never emptied.
    if (slot.chosen_by === 'original') expect(afterByKey.has(slotKey(slot)), `original ${slotKey(slot)} emptied${why}`).toBe(true);
  }
  const candidates = await s.db.selectFrom('candidates').selectAll().where('item_id', '=', itemId).execute();
  const byId = new Map(candidates.map((c) => [c.id, c]));
  for (const slot of after) {
    if (slot.locked || slot.chosen_by === 'original') continue;
    const c = byId.get(slot.candidate_id!)!;
    expect(c, `automatic slot ${slotKey(slot)} without a candidate${why}`).toBeDefined();
    expect(c.blocked, `blocked candidate ${c.id} chosen in ${slotKey(slot)}${why}`).toBe(0);
    expect(c.gone_at, `gone candidate ${c.id} chosen${why}`).toBeNull();
    expect(c.score_breakdown ?? '', `undersized candidate ${c.id} chosen${why}`).not.toContain('below the minimum');
    // Never a look-alike of another chosen image of the type.
    for (const other of after) {
      if (other === slot || other.asset_type !== slot.asset_type || other.candidate_id === null) continue;
      const o = byId.get(other.candidate_id)!;
      expect(o.cluster_id === c.cluster_id, `${slotKey(slot)} and ${slotKey(other)} are look-alikes${why}`).toBe(false);
    }
  }
}

describe('locks and blocks under random sequences', () => {
  it.each(Array.from({ length: SEQUENCES }, (_, i) => i + 1))('sequence %i', async (seed) => {
    const g = generator(seed * 7919);
    const root = t.tempDir(`seq${seed}`);
    const monitored = !g.chance(0.2);
    const { itemId, folder } = await seedItem(s, root, { title: `Movie ${seed}`, monitored });
    const pictures = Array.from({ length: 5 }, () => g.hex(64));
    if (g.chance(0.4)) {
      const id = await addOriginal(s, itemId, folder, 'poster', Buffer.from(`original ${seed}`));
      await s.db.insertInto('image_phashes').values({ sha256: (await s.db.selectFrom('library_files').select('sha256').where('id', '=', id).executeTakeFirstOrThrow()).sha256, phash: nearCopy(g, pictures[0]!), error: null, computed_at: 0 }).execute();
    }
    if (g.chance(0.3)) await s.settings.set('autoselect.replaceOriginals', g.chance(0.5));
    for (let i = 0; i < 4; i++) await enrichAdd(g, itemId, pictures);

    const log: string[] = [`seed ${seed}, monitored ${monitored}, replaceOriginals ${s.settings.get('autoselect.replaceOriginals')}`];
    for (let step = 0; step < STEPS; step++) {
      const candidates = await s.db.selectFrom('candidates').selectAll().where('item_id', '=', itemId).execute();
      const op = g.pick(['add', 'change', 'autoselect', 'autoselect', 'select', 'lock', 'unlock', 'block', 'unblock'] as const);
      const before = await snapshot(itemId);
      try {
        switch (op) {
          case 'add':
            log.push(`enrich-add ${await enrichAdd(g, itemId, pictures)}`);
            break;
          case 'change':
            log.push(await enrichChange(g, itemId));
            break;
          case 'autoselect': {
            log.push('autoselect');
            await s.select.autoselect([itemId]);
            await checkAfterAutomation(itemId, before, monitored, log);
            break;
          }
          case 'select': {
            const c = g.pick(candidates);
            const rank = c.asset_type === 'fanart' ? g.int(0, 3) : 0;
            log.push(`select ${c.id} ${c.asset_type}/${rank}`);
            try {
              const r = await s.select.select({ itemId, type: c.asset_type as AssetType, candidateId: c.id, rank });
              expect(r.slot).toMatchObject({ candidateId: c.id, chosenBy: 'user', locked: true });
            } catch (err) {
              // Refused only for these reasons, and then nothing changes: the candidate is blocked,
              // gone, or the user's locked choice at another rank (moving it would empty that rank).
              expect(err, log.join('\n')).toBeInstanceOf(ApiError);
              const lockedElsewhere = before.some(
                (sl) => sl.candidate_id === c.id && sl.asset_type === c.asset_type && sl.rank !== rank && sl.locked === 1,
              );
              expect(c.blocked === 1 || c.gone_at !== null || lockedElsewhere, log.join('\n')).toBe(true);
              expect(await snapshot(itemId)).toEqual(before);
            }
            break;
          }
          case 'lock':
          case 'unlock': {
            const type = g.pick(TYPES);
            const rank = g.chance(0.5) ? g.int(0, 2) : undefined;
            log.push(`${op} ${type}/${rank ?? '*'}`);
            await s.select.setLock({ itemId, type, rank }, op === 'lock').catch((err: unknown) => {
              expect((err as ApiError).code).toBe('conflict'); // nothing chosen there
            });
            break;
          }
          case 'block':
          case 'unblock': {
            const c = g.pick(candidates);
            log.push(`${op} ${c.id}`);
            await s.select.setBlocked(c.id, op === 'block').catch((err: unknown) => {
              // Refused only when a locked slot holds it; then nothing changed.
              expect((err as ApiError).code).toBe('conflict');
              expect(before.some((x) => x.candidate_id === c.id && x.locked)).toBe(true);
            });
            if (op === 'block') {
              const after = await snapshot(itemId);
              for (const x of after) {
                if (x.candidate_id === c.id) expect(x.locked, `unlocked slot kept blocked ${c.id}\n${log.join('\n')}`).toBe(1);
              }
            }
            break;
          }
        }
      } catch (err) {
        throw new Error(`${(err as Error).message}\nsteps:\n${log.join('\n')}`);
      }
      // Every step: locked slots only change by the user's own hand (select/lock/unlock/block).
      if (op === 'add' || op === 'change') expect(await snapshot(itemId)).toEqual(before);
    }
    // A final pass settles, and a second pass changes nothing.
    await s.select.autoselect([itemId]);
    const settled = await snapshot(itemId);
    const again = await s.select.autoselect([itemId]);
    expect(again.changes, log.join('\n')).toEqual([]);
    expect(await snapshot(itemId)).toEqual(settled);
    await s.settings.set('autoselect.replaceOriginals', false);
  });
});
