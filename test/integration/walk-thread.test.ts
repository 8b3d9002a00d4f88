import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary } from '../../scripts/generate-library.ts';
import { LibraryWalker, type FolderVisit, type WalkBatch } from '../../main/core/library/walk.ts';
import { walkLanes, startWalkThread } from '../../main/core/library/walk-thread.ts';

/** The walk thread must find exactly what a walk on the scanning thread finds. */
describe('library walk on a worker thread', () => {
  let dir: string;
  let root: string;
  const maxYear = 2028;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-walk-thread-'));
    root = path.join(dir, 'Movies');
    // More folders than one batch holds, so the walk streams several.
    await generateLibrary(root, { movies: 320, seed: 5, nfoFraction: 0.5, artFraction: 0.4 });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const inThread = () =>
    new LibraryWalker({
      root,
      starts: [root],
      known: new Map(),
      knownFiles: { get: () => undefined },
      force: new Set(),
      deep: false,
      maxYear,
    }).run();

  async function collect(batches: AsyncIterable<WalkBatch>) {
    const visits: FolderVisit[] = [];
    const errors = [];
    let last = { done: 0, total: 0 };
    let count = 0;
    for await (const b of batches) {
      visits.push(...b.visits);
      errors.push(...b.errors);
      expect(b.done).toBeGreaterThan(last.done);
      last = b;
      count++;
    }
    return { visits, errors, last, count };
  }

  it('streams the same folders, movies, files and problems as an in-thread walk, in batches', async () => {
    const expected = await inThread();
    const batches = await startWalkThread({ root, starts: [root], maxYear });
    expect(batches).not.toBeNull();
    const got = await collect(batches!);
    expect(got.visits).toEqual(expected.visits);
    expect(got.errors).toEqual(expected.errors);
    expect(got.last.done).toBe(got.last.total);
    expect(got.count).toBeGreaterThan(1);
    const movies = got.visits.flatMap((v) => (v.status === 'changed' ? v.movies : []));
    expect(movies.length).toBeGreaterThanOrEqual(320);
    expect(movies.some((m) => m.nfo?.tmdbId && m.files.some((f) => f.role === 'art' && f.width))).toBe(true);
  });

  it('serves one walk at a time; a second caller is told to walk on its own thread', async () => {
    const first = await startWalkThread({ root, starts: [root], maxYear });
    expect(first).not.toBeNull();
    expect(await startWalkThread({ root, starts: [root], maxYear })).toBeNull();
    await collect(first!);
    const again = await startWalkThread({ root, starts: [root], maxYear });
    expect(again).not.toBeNull();
    await collect(again!);
  });

  it.each([1, 3])(
    'stops when cancelled (%i threads), failing with the reason, and starts afresh for the next walk',
    async (lanes) => {
      const controller = new AbortController();
      const batches = await startWalkThread({ root, starts: [root], maxYear, lanes }, controller.signal);
      const reason = new Error('the user cancelled');
      controller.abort(reason);
      await expect(collect(batches!)).rejects.toBe(reason);
      const next = await startWalkThread({ root, starts: [root], maxYear });
      expect(next).not.toBeNull();
      expect((await collect(next!)).visits).toEqual((await inThread()).visits);
    },
  );

  it('reads with several threads at once the same folders, movies and problems as one walk', async () => {
    const expected = await inThread();
    const batches = await startWalkThread({ root, starts: [root], maxYear, lanes: 3 });
    expect(batches).not.toBeNull();
    const got = await collect(batches!);
    // Threads finish in any order: the same visits and problems, as sets.
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    expect([...got.visits].sort(byPath)).toEqual([...expected.visits].sort(byPath));
    expect([...got.errors].sort(byPath)).toEqual([...expected.errors].sort(byPath));
    expect(got.last.done).toBe(got.visits.length);
    expect(got.last.total).toBe(got.last.done);
    // The thread kept between walks is free again, the extra ones are gone.
    const again = await startWalkThread({ root, starts: [root], maxYear });
    expect(again).not.toBeNull();
    await collect(again!);
  });

  it('keeps a folder reached by two threads under two paths once, and never follows a link back up', async () => {
    const top = path.join(dir, 'Linked');
    for (let i = 0; i < 40; i++) {
      const folder = path.join(top, `Film ${String(i).padStart(2, '0')} (2001)`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, `Film ${i} (2001).mkv`), 'video');
    }
    // A second name for a movie folder, far from it in the listing (another thread reads it).
    symlinkSync(path.join(top, 'Film 00 (2001)'), path.join(top, 'zz Second name'));
    // A link from deep inside back to the top of the library.
    symlinkSync(top, path.join(top, 'Film 39 (2001)', 'back up'));
    const batches = await startWalkThread({ root: top, starts: [top], maxYear, lanes: 4 });
    const got = await collect(batches!);
    const movies = got.visits.flatMap((v) => (v.status === 'changed' ? v.movies : []));
    expect(movies.length).toBe(40);
    expect(new Set(movies.map((m) => m.videoPath)).size).toBe(40);
    const twice = got.errors.filter((e) => e.reason.includes('already scanned under another path'));
    // One of the two names is kept, whichever thread read it first; the other is reported.
    expect(twice.map((e) => path.basename(e.path)).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(zz Second name|Film 00 \(2001\))$/), 'back up']),
    );
    expect(twice).toHaveLength(2);
    expect(twice.find((e) => e.path.endsWith('back up'))!.reason).toMatch(/loop/i);
  });

  it('uses one thread on a local disk, the configured number when set, none for a small library', () => {
    expect(walkLanes(root)).toBe(1);
    expect(walkLanes(root, 4)).toBe(4);
    const small = path.join(dir, 'Small');
    mkdirSync(path.join(small, 'Film (2001)'), { recursive: true });
    expect(walkLanes(small)).toBe(0);
    expect(walkLanes(path.join(dir, 'missing'))).toBe(0);
  });
});
