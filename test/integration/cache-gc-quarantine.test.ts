import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { bytes, filesUnder, makeItem, picture, startImageServer, type ImageServer } from './cache-fixtures.ts';

const DAY = 24 * 60 * 60 * 1000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: ImageServer;
let poster: Buffer;
let mine: Buffer;
beforeAll(async () => {
  poster = await picture('quarantine-poster', 600, 900);
  mine = await picture('quarantine-mine', 600, 900);
  server = await startImageServer();
});
afterAll(async () => server.close());

let t: TestEngine;
beforeEach(async () => {
  t = await makeTestEngine();
  await t.engine.services.settings.set('providers.maxRetries', 0);
  server.route('/poster.jpg', bytes(poster));
});
afterEach(async () => t.cleanup());

const cache = () => t.engine.services.cache;
const db = () => t.engine.services.db;
const quarantineDir = () => t.engine.services.paths.quarantine;

/** Bit rot in the middle of a blob's file. */
function damage(file: string): Buffer {
  const damaged = Buffer.from(readFileSync(file));
  damaged.fill(0, 2000, 4000);
  writeFileSync(file, damaged);
  return damaged;
}

async function slotFor(itemId: number, blobSha: string, rank = 0) {
  await db()
    .insertInto('slots')
    .values({
      item_id: itemId,
      asset_type: 'poster',
      rank,
      blob_sha: blobSha,
      candidate_id: null,
      library_file_id: null,
      chosen_by: 'user',
      locked: 1,
      updated_at: t.clock.now(),
    })
    .execute();
}

/** A blob whose only source (a local upload) is gone, damaged and quarantined by verify --repair. */
async function unrecoverable(): Promise<{ blobSha: string; damaged: Buffer }> {
  const upload = path.join(t.tempDir('upload'), 'mine.jpg');
  writeFileSync(upload, mine);
  const blob = await cache().ingestFile(upload, { provider: 'upload' });
  unlinkSync(upload);
  const damaged = damage((await cache().pathOf(blob.sha256))!);
  const r = await cache().verify({ repair: true });
  expect(r.problems).toEqual([expect.objectContaining({ sha256: blob.sha256, outcome: 'unrecoverable' })]);
  return { blobSha: blob.sha256, damaged };
}

describe('cache garbage collection of the quarantine', () => {
  it('keeps a quarantined file for the recycle retention, reports it in a dry run, then purges it; the repaired blob is untouched', async () => {
    const blob = await cache().ingestUrl(server.url('/poster.jpg'), { provider: 'tmdb', area: 'assets' });
    const itemId = await makeItem(t);
    await slotFor(itemId, blob.sha256);
    const file = (await cache().pathOf(blob.sha256))!;
    const damaged = damage(file);
    const repaired = await cache().verify({ repair: true });
    expect(repaired.problems).toEqual([expect.objectContaining({ outcome: 'repaired' })]);
    const quarantined = path.join(quarantineDir(), `${blob.sha256}.jpg`);
    // Stamped with the time of the move (a rename keeps the old mtime), which GC ages it by.
    expect(statSync(quarantined).mtimeMs).toBe(t.clock.now());

    t.clock.advance(29 * DAY);
    let r = await cache().gc({ dryRun: false });
    expect(r.quarantine).toEqual({ purged: [], purgedBytes: 0, kept: 1, keptBytes: damaged.length, forgotten: [] });
    expect((await t.client.call('status', {})).cache.quarantine).toEqual({ blobs: 0, files: 1, bytes: damaged.length });

    t.clock.advance(2 * DAY);
    r = await cache().gc({ dryRun: true });
    expect(r.quarantine).toEqual({
      purged: [{ sha256: blob.sha256, bytes: damaged.length, quarantinedAt: t.clock.now() - 31 * DAY }],
      purgedBytes: damaged.length,
      kept: 0,
      keptBytes: 0,
      forgotten: [],
    });
    expect(existsSync(quarantined)).toBe(true);

    r = await cache().gc({ dryRun: false });
    expect(r.quarantine.purgedBytes).toBe(damaged.length);
    expect(filesUnder(quarantineDir())).toEqual([]);
    // The available blob (referenced, repaired) is exactly as it was.
    expect(sha(readFileSync(file))).toBe(blob.sha256);
    expect(await cache().pathOf(blob.sha256)).toBe(file);
    expect((await cache().verify({ repair: false })).problems).toEqual([]);
    expect((await t.client.call('status', {})).cache.quarantine).toEqual({ blobs: 0, files: 0, bytes: 0 });
  });

  it('keeps an unrecoverable blob while it is referenced, and forgets it once nothing has used it for the grace period', async () => {
    const { blobSha, damaged } = await unrecoverable();
    const itemId = await makeItem(t);
    await slotFor(itemId, blobSha);
    expect((await t.client.call('status', {})).cache.quarantine).toEqual({ blobs: 1, files: 1, bytes: damaged.length });

    // Referenced: the damaged file goes after the retention, the row (and its provenance) stays.
    t.clock.advance(100 * DAY);
    let r = await cache().gc({ dryRun: false });
    expect(r.quarantine.purged.map((p) => p.sha256)).toEqual([blobSha]);
    expect(r.quarantine.forgotten).toEqual([]);
    r = await cache().gc({ dryRun: false });
    expect(r.quarantine.forgotten).toEqual([]);
    expect(await db().selectFrom('blobs').select(['sha256', 'state']).execute()).toEqual([
      { sha256: blobSha, state: 'quarantined' },
    ]);

    // No longer referenced: the grace period starts now.
    await db().deleteFrom('slots').execute();
    r = await cache().gc({ dryRun: false });
    expect(r.quarantine.forgotten).toEqual([]);
    t.clock.advance(31 * DAY);
    r = await cache().gc({ dryRun: true });
    expect(r.quarantine.forgotten).toEqual([blobSha]);
    expect(await db().selectFrom('blobs').select('sha256').execute()).toHaveLength(1);
    r = await cache().gc({ dryRun: false });
    expect(r.quarantine.forgotten).toEqual([blobSha]);
    expect(await db().selectFrom('blobs').select('sha256').execute()).toEqual([]);
    expect(await db().selectFrom('blob_sources').select('sha256').execute()).toEqual([]);
    expect((await t.client.call('status', {})).cache.quarantine).toEqual({ blobs: 0, files: 0, bytes: 0 });
  });

  it('never touches an available blob, files it did not quarantine, or a referenced quarantined blob, however old', async () => {
    const good = await cache().ingestUrl(server.url('/poster.jpg'), { provider: 'tmdb', area: 'assets' });
    const goodFile = (await cache().pathOf(good.sha256))!;
    const { blobSha } = await unrecoverable();
    const itemId = await makeItem(t);
    await slotFor(itemId, blobSha);
    await slotFor(itemId, good.sha256, 1);
    const stranger = path.join(quarantineDir(), 'notes.txt');
    writeFileSync(stranger, 'mine');
    t.clock.advance(1000 * DAY);
    for (let i = 0; i < 3; i++) await cache().gc({ dryRun: false });
    expect(filesUnder(quarantineDir())).toEqual(['notes.txt']);
    expect(sha(readFileSync(goodFile))).toBe(good.sha256);
    expect(await cache().pathOf(good.sha256)).toBe(goodFile);
    const states = await db().selectFrom('blobs').select(['sha256', 'state']).execute();
    expect(new Map(states.map((b) => [b.sha256, b.state]))).toEqual(
      new Map([
        [good.sha256, 'available'],
        [blobSha, 'quarantined'],
      ]),
    );
  });
});
