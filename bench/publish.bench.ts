import { execFileSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AssetType } from '../shared/asset-types.ts';
import type { PublishSummary } from '../shared/api/publish.ts';
import { artFileNames } from '../shared/naming.ts';
import type { Insertable } from 'kysely';
import { blobPath } from '../main/core/cache/layout.ts';
import type { BlobsTable, ItemsTable, SlotsTable } from '../main/core/db/schema.ts';
import { createEngine, type Engine } from '../main/core/engine.ts';
import { createLogger } from '../main/core/log.ts';
import { time, type Bench, type BenchRow } from './harness.ts';
import { insertLibrary } from '../test/helpers/seed.ts';

const MOVIES = Number(process.env.BENCH_MOVIES ?? 2000);
/** Six images per movie: the usual full set, two of them transparent PNGs. */
const SLOTS: { type: AssetType; rank: number; ext: 'jpg' | 'png' }[] = [
  { type: 'poster', rank: 0, ext: 'jpg' },
  { type: 'fanart', rank: 0, ext: 'jpg' },
  { type: 'fanart', rank: 1, ext: 'jpg' },
  { type: 'clearlogo', rank: 0, ext: 'png' },
  { type: 'landscape', rank: 0, ext: 'jpg' },
  { type: 'discart', rank: 0, ext: 'png' },
];
/** Image sizes vary around ~20 KB so the run stays a few hundred MB on a shared machine. */
const MIN_BYTES = 8 * 1024;
const MAX_BYTES = 32 * 1024;

interface Seeded {
  engine: Engine;
  root: string;
  library: string;
  /** A tree of hardlinks to the cache files, laid out exactly like the published library: cp's input. */
  mirror: string;
  files: number;
  bytes: number;
}

/** Seeds the database and the cache directly (items, blobs, slots): the bench measures publishing, not ingest. */
async function seed(): Promise<Seeded> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'posterity-bench-publish-'));
  const library = path.join(root, 'library');
  const mirror = path.join(root, 'mirror');
  mkdirSync(library);
  mkdirSync(mirror);
  const engine = await createEngine({
    dataDir: path.join(root, 'data'),
    env: {},
    logger: createLogger({ consoleLevel: 'silent' }),
  });
  const s = engine.services;
  await s.settings.set('naming.style', 'basename'); // 6 files per movie, the same 12,000 cp copies
  await s.settings.set('publish.actorImages', false);
  const now = s.clock.now();
  const libraryId = await insertLibrary(s.db, now, { path: library, name: 'Bench' });
  let files = 0;
  let bytes = 0;
  const pool = randomBytes(MAX_BYTES * 4);
  for (let start = 0; start < MOVIES; start += 250) {
    const items: Insertable<ItemsTable>[] = [];
    const blobs: Insertable<BlobsTable>[] = [];
    const slots: Insertable<SlotsTable>[] = [];
    for (let i = start; i < Math.min(MOVIES, start + 250); i++) {
      const name = `Movie ${String(i).padStart(4, '0')} (${1950 + (i % 70)})`;
      const folder = path.join(library, name);
      mkdirSync(folder);
      writeFileSync(path.join(folder, `${name}.mkv`), '');
      mkdirSync(path.join(mirror, name));
      items.push({
        id: i + 1,
        library_id: libraryId,
        parent_id: null,
        kind: 'movie' as const,
        folder,
        video_path: path.join(folder, `${name}.mkv`),
        basename: name,
        layout: 'own-folder',
        title: name,
        year: null,
        sort_title: null,
        tmdb_id: null,
        imdb_id: null,
        tvdb_id: null,
        state: 'new' as const,
        match_choices: null,
        error: null,
        video_size: null,
        video_mtime: null,
        folder_signature: null,
        created_at: now,
        updated_at: now,
        scanned_at: now,
        enriched_at: null,
        enrich_after: null,
        published_at: null,
      });
      for (const slot of SLOTS) {
        const size = MIN_BYTES + ((i * 7919 + files * 104729) % (MAX_BYTES - MIN_BYTES));
        const offset = (files * 4099) % (pool.length - size);
        const body = Buffer.concat([
          Buffer.from(`${i}:${slot.type}:${slot.rank}`),
          pool.subarray(offset, offset + size),
        ]);
        const sha = createHash('sha256').update(body).digest('hex');
        const file = blobPath(s.paths, 'assets', sha, slot.ext);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, body);
        linkSync(
          file,
          path.join(mirror, name, artFileNames(slot.type, slot.rank, name, 'basename', 'own-folder', slot.ext)[0]!),
        );
        blobs.push({
          sha256: sha,
          ext: slot.ext,
          mime: slot.ext === 'png' ? 'image/png' : 'image/jpeg',
          width: 1000,
          height: 1500,
          bytes: body.length,
          phash: null,
          created_at: now,
          verified_at: now,
          unreferenced_since: null,
        });
        slots.push({
          item_id: i + 1,
          asset_type: slot.type,
          rank: slot.rank,
          blob_sha: sha,
          candidate_id: null,
          chosen_by: 'auto' as const,
          updated_at: now,
        });
        files++;
        bytes += body.length;
      }
    }
    await s.db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values(items).execute();
      for (let k = 0; k < blobs.length; k += 100)
        await trx
          .insertInto('blobs')
          .values(blobs.slice(k, k + 100))
          .execute();
      for (let k = 0; k < slots.length; k += 100)
        await trx
          .insertInto('slots')
          .values(slots.slice(k, k + 100))
          .execute();
    });
  }
  execFileSync('sync');
  return { engine, root, library, mirror, files, bytes };
}

function cpFloor(seeded: Seeded): number {
  const target = path.join(seeded.root, 'cp-copy');
  rmSync(target, { recursive: true, force: true });
  const t0 = performance.now();
  execFileSync('cp', ['-r', seeded.mirror, target]);
  const ms = performance.now() - t0;
  rmSync(target, { recursive: true, force: true });
  return ms;
}

/** Deletes every published file (what a disk swap or a Radarr upgrade does). */
async function wipePublished(seeded: Seeded): Promise<void> {
  const rows = await seeded.engine.services.db.selectFrom('library_files').select('path').execute();
  for (const r of rows) unlinkSync(r.path);
}

function check(summary: PublishSummary, what: string): void {
  if (summary.errors.length > 0)
    throw new Error(`${what}: ${summary.errors.length} errors, first: ${summary.errors[0]!.reason}`);
}

const bench: Bench = {
  name: 'publish',
  description:
    `${MOVIES} movies × ${SLOTS.length} images published from the cache (basename names, one file each), then published again ` +
    'with nothing changed, rebuilt after deleting every file, and published as hardlinks; against `cp -r` of a tree ' +
    'laid out like the library (one cp process: the floor; cp does not fsync, the publisher fsyncs every file). ' +
    'One movie is published and removed first as a warm-up.',
  async run(): Promise<BenchRow[]> {
    const seeded = await seed();
    const call = async (method: 'publish' | 'rebuild', params: Record<string, unknown>, what: string) => {
      let summary: PublishSummary | undefined;
      const ms = await time(async () => {
        summary = (await seeded.engine.dispatch(method, params)) as PublishSummary;
      });
      check(summary!, what);
      return { ms, summary: summary! };
    };
    try {
      // Warm-up outside the timings, like engine start: the fs workers, the JIT, SQLite's cache.
      check((await seeded.engine.dispatch('publish', { itemIds: [1] })) as PublishSummary, 'warm-up');
      await wipePublished(seeded);
      const cpBefore = cpFloor(seeded);
      const copy = await call('publish', { all: true, mode: 'copy' }, 'publish');
      if (copy.summary.written !== seeded.files)
        throw new Error(`publish wrote ${copy.summary.written} of ${seeded.files} files`);
      const noop = await call('publish', { all: true, mode: 'copy' }, 'no-change publish');
      if (noop.summary.unchanged !== seeded.files)
        throw new Error(`no-change publish kept ${noop.summary.unchanged} of ${seeded.files}`);
      await wipePublished(seeded);
      const rebuild = await call('rebuild', {}, 'rebuild');
      if (rebuild.summary.written !== seeded.files)
        throw new Error(`rebuild wrote ${rebuild.summary.written} of ${seeded.files}`);
      await wipePublished(seeded);
      const hardlink = await call('publish', { all: true, mode: 'hardlink' }, 'hardlink publish');
      const cpAfter = cpFloor(seeded);
      const cp = (cpBefore + cpAfter) / 2;
      return [
        { metric: `files (${(seeded.bytes / 1024 / 1024).toFixed(0)} MB)`, value: seeded.files, unit: 'files' },
        { metric: 'cp -r floor (mean of before/after)', value: cp, unit: 'ms' },
        { metric: 'publish, copy mode', value: copy.ms, unit: 'ms' },
        { metric: 'publish copy / cp', value: copy.ms / cp, unit: '×', target: { op: '<=', value: 1.5 } },
        { metric: 'publish, nothing changed', value: noop.ms, unit: 'ms' },
        { metric: 'no-change / copy', value: noop.ms / copy.ms, unit: '×', target: { op: '<=', value: 0.3 } },
        { metric: 'rebuild after deleting every file', value: rebuild.ms, unit: 'ms' },
        { metric: 'rebuild / cp', value: rebuild.ms / cp, unit: '×', target: { op: '<=', value: 1.5 } },
        { metric: 'publish, hardlink mode', value: hardlink.ms, unit: 'ms' },
        { metric: 'hardlink / cp', value: hardlink.ms / cp, unit: '×', target: { op: '<', value: 1 } },
      ];
    } finally {
      await seeded.engine.close();
      rmSync(seeded.root, { recursive: true, force: true });
    }
  },
};

export default bench;
