import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary } from '../../scripts/generate-library.ts';
import { LibraryWalker, type FolderVisit, type WalkBatch } from '../../main/core/library/walk.ts';
import { startWalkThread } from '../../main/core/library/walk-thread.ts';

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

  it('stops when cancelled, failing with the reason, and starts afresh for the next walk', async () => {
    const controller = new AbortController();
    const batches = await startWalkThread({ root, starts: [root], maxYear }, controller.signal);
    const reason = new Error('the user cancelled');
    controller.abort(reason);
    await expect(collect(batches!)).rejects.toBe(reason);
    const next = await startWalkThread({ root, starts: [root], maxYear });
    expect(next).not.toBeNull();
    expect((await collect(next!)).visits).toEqual((await inThread()).visits);
  });
});
