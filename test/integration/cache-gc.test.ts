import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobRow } from '../../main/core/db/schema.ts';
import { Random } from '../fakes/prng.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { filesUnder, makeCandidate, makeItem } from './cache-fixtures.ts';

const DAY = 24 * 60 * 60 * 1000;

let t: TestEngine;
beforeEach(async () => {
  t = await makeTestEngine();
});
afterEach(async () => t.cleanup());

const cache = () => t.engine.services.cache;
const db = () => t.engine.services.db;

/** A small, valid, distinct image imported from a local file. */
async function blob(n: number): Promise<BlobRow> {
  const file = path.join(t.tempDir('img'), `img${n}.png`);
  const png = await sharp({ create: { width: 40 + n, height: 30, channels: 3, background: { r: (n * 37) % 256, g: (n * 91) % 256, b: 200 } } })
    .png()
    .toBuffer();
  writeFileSync(file, png);
  return cache().ingestFile(file, { provider: 'upload' });
}

async function slotFor(itemId: number, sha: string, rank = 0) {
  await db()
    .insertInto('slots')
    .values({ item_id: itemId, asset_type: 'fanart', rank, blob_sha: sha, candidate_id: null, library_file_id: null, chosen_by: 'auto', locked: 0, updated_at: t.clock.now() })
    .execute();
}

describe('cache garbage collection', () => {
  it('keeps an unreferenced blob for the grace period, then recycles it, then purges it after retention', async () => {
    const itemId = await makeItem(t);
    const used = await blob(1);
    const unused = await blob(2);
    await slotFor(itemId, used.sha256);
    const unusedPath = (await cache().pathOf(unused.sha256))!;

    let r = await cache().gc({ dryRun: false });
    expect(r).toMatchObject({ referenced: 1, newlyUnreferenced: 1, waiting: 1, recycled: [], purged: 0 });

    t.clock.advance(29 * DAY);
    r = await cache().gc({ dryRun: false });
    expect(r).toMatchObject({ newlyUnreferenced: 0, waiting: 1, recycled: [] });

    t.clock.advance(2 * DAY);
    r = await cache().gc({ dryRun: false });
    expect(r.recycled.map((x) => x.sha256)).toEqual([unused.sha256]);
    expect(existsSync(unusedPath)).toBe(false);
    expect(await cache().pathOf(unused.sha256)).toBeNull();
    expect(await cache().pathOf(used.sha256)).not.toBeNull();
    const [entry] = await cache().recycle.list();
    expect(entry).toMatchObject({ kind: 'blob', sha256: unused.sha256, original_path: unusedPath, reason: 'unreferenced for 31 days' });
    expect(entry!.stored_path).toBe(path.join(t.dataDir, 'recycle', '2026-02-15', `${entry!.id}-${path.basename(unusedPath)}`));
    expect(existsSync(entry!.stored_path)).toBe(true);

    t.clock.advance(31 * DAY);
    r = await cache().gc({ dryRun: false });
    expect(r).toMatchObject({ recycled: [], purged: 1 });
    expect(existsSync(entry!.stored_path)).toBe(false);
    expect(await db().selectFrom('blobs').select('sha256').execute()).toEqual([{ sha256: used.sha256 }]);
    expect(await db().selectFrom('blob_sources').select('sha256').execute()).toEqual([{ sha256: used.sha256 }]);
  });

  it('changes nothing in a dry run', async () => {
    await blob(1);
    await cache().gc({ dryRun: false });
    t.clock.advance(40 * DAY);
    const files = () => [...filesUnder(path.join(t.dataDir, 'cache')), ...filesUnder(path.join(t.dataDir, 'recycle'))];
    const before = files();
    const r = await cache().gc({ dryRun: true });
    expect(r.recycled).toHaveLength(1);
    expect(files()).toEqual(before);
    expect(await cache().recycle.list()).toEqual([]);
    expect((await db().selectFrom('blobs').select('state').executeTakeFirstOrThrow()).state).toBe('available');
  });

  it('restarts the grace period when the blob is handed out again (the lease) or referenced again', async () => {
    const b = await blob(1);
    await cache().gc({ dryRun: false });
    t.clock.advance(29 * DAY);
    // Imported again (e.g. chosen again): a fresh lease.
    await blob(1);
    t.clock.advance(2 * DAY);
    let r = await cache().gc({ dryRun: false });
    expect(r.recycled).toEqual([]);
    expect(r.newlyUnreferenced).toBe(1);

    const itemId = await makeItem(t);
    await slotFor(itemId, b.sha256);
    t.clock.advance(60 * DAY);
    r = await cache().gc({ dryRun: false });
    expect(r.recycled).toEqual([]);
    expect((await db().selectFrom('blobs').selectAll().executeTakeFirstOrThrow()).unreferenced_since).toBeNull();
  });

  it('restores a collected blob from the recycle bin, and revives it when the same bytes arrive again', async () => {
    const a = await blob(1);
    const b = await blob(2);
    await cache().gc({ dryRun: false });
    t.clock.advance(31 * DAY);
    await cache().gc({ dryRun: false });
    expect(await cache().pathOf(a.sha256)).toBeNull();

    const entryA = (await cache().recycle.list()).find((e) => e.sha256 === a.sha256)!;
    await cache().recycle.restore(entryA.id);
    const fileA = await cache().pathOf(a.sha256);
    expect(fileA).not.toBeNull();
    expect(createHash('sha256').update(readFileSync(fileA!)).digest('hex')).toBe(a.sha256);
    expect((await db().selectFrom('blobs').selectAll().where('sha256', '=', a.sha256).executeTakeFirstOrThrow()).unreferenced_since).toBe(t.clock.now());

    const again = await blob(2);
    expect(again).toMatchObject({ sha256: b.sha256, state: 'available' });
    expect(await cache().pathOf(b.sha256)).not.toBeNull();
  });

  it('never removes a referenced blob, whatever references come and go (property loop)', async () => {
    await t.engine.services.settings.set('cache.gcGraceDays', 1);
    await t.engine.services.settings.set('recycle.retentionDays', 2);
    const rng = new Random(20260115);
    const itemId = await makeItem(t);
    const libDir = t.tempDir('libfiles');
    const shas: string[] = [];
    for (let i = 0; i < 8; i++) shas.push((await blob(i)).sha256);
    const candidateIds = await Promise.all(shas.map((_, i) => makeCandidate(t, itemId, `https://img.example/${i}.jpg`)));

    for (let round = 0; round < 60; round++) {
      // Shuffle references: each blob gets a random set of holders (or none).
      await db().deleteFrom('slots').execute();
      await db().deleteFrom('library_files').execute();
      await db().deleteFrom('recycle').where('kind', '=', 'library-file').execute();
      await db().updateTable('candidates').set({ blob_sha: null, preview_sha: null, gone_at: null }).execute();
      const referenced = new Set<string>();
      for (const [i, sha] of shas.entries()) {
        const holder = rng.int(0, 6);
        if (holder === 1) await slotFor(itemId, sha, i);
        if (holder === 2) {
          await db()
            .insertInto('library_files')
            .values({ item_id: itemId, path: path.join(libDir, `f${i}.jpg`), role: 'art', asset_type: 'poster', rank: 0, origin: 'original', sha256: sha, bytes: 1, width: null, height: null, mtime: 0, published_at: null, seen_at: 0 })
            .execute();
        }
        if (holder === 3) await db().updateTable('candidates').set({ blob_sha: sha }).where('id', '=', candidateIds[i]!).execute();
        if (holder === 4) await db().updateTable('candidates').set({ preview_sha: sha }).where('id', '=', candidateIds[i]!).execute();
        if (holder === 5) {
          await db()
            .insertInto('recycle')
            .values({ original_path: path.join(libDir, `old${i}.jpg`), stored_path: path.join(libDir, `gone${i}`), sha256: sha, bytes: 1, item_id: itemId, kind: 'library-file', reason: 'replaced', deleted_at: t.clock.now(), expires_at: t.clock.now() + 100 * DAY, restored_at: null, purged_at: null })
            .execute();
        }
        // A gone candidate holds nothing.
        if (holder === 6) await db().updateTable('candidates').set({ blob_sha: sha, gone_at: t.clock.now() }).where('id', '=', candidateIds[i]!).execute();
        if (holder >= 1 && holder <= 5) referenced.add(sha);
        // Referenced blobs that a previous round collected come back the way a user would bring them.
        if (referenced.has(sha) && !(await cache().pathOf(sha))) {
          const entry = (await cache().recycle.list()).find((e) => e.sha256 === sha && e.kind === 'blob');
          if (entry) await cache().recycle.restore(entry.id);
          else await blob(i); // purged: the same bytes imported again
        }
      }
      t.clock.advance(rng.int(0, 3) * DAY + rng.int(0, DAY));
      await cache().gc({ dryRun: rng.chance(0.2) });
      for (const sha of referenced) {
        const file = await cache().pathOf(sha);
        expect(file, `round ${round}: referenced blob ${sha.slice(0, 8)} was removed`).not.toBeNull();
        expect(createHash('sha256').update(readFileSync(file!)).digest('hex')).toBe(sha);
      }
    }
    // The loop did exercise collection.
    const kinds = await db().selectFrom('recycle').select(['kind', 'purged_at']).where('kind', '=', 'blob').execute();
    expect(kinds.length).toBeGreaterThan(3);
    expect(kinds.some((k) => k.purged_at !== null)).toBe(true);
  });
});

describe('garbage collection on a large cache', () => {
  it('answers "is this blob in use?" through an index for every kind of lease, never a table scan per blob', async () => {
    const { isReferenced } = await import('../../main/core/cache/gc.ts');
    const { sql } = await import('kysely');
    const query = db()
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(isReferenced(sql.ref<string>('blobs.sha256')))
      .compile();
    const plan = t.engine.services.database.sqlite
      .prepare(`explain query plan ${query.sql}`)
      .all(...query.parameters) as { detail: string }[];
    const details = plan.map((p) => p.detail);
    // One pass over the blobs; each lease (slots, library files, candidates' full images and
    // previews, recycled files) looked up by index. A scan there costs minutes on a cache of
    // tens of thousands of blobs and candidates.
    expect(details.filter((d) => d.startsWith('SCAN'))).toEqual([expect.stringMatching(/^SCAN blobs/)]);
    for (const table of ['slots', 'library_files', 'candidates', 'recycle'])
      expect(details.some((d) => d.startsWith(`SEARCH ${table} USING`))).toBe(true);
  });
});
