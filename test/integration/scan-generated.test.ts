import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemDetail, ScanSummary } from '../../shared/api/library.ts';
import { generateLibrary, type GeneratedLibrary } from '../../scripts/generate-library.ts';
import { WALK_THREAD_MIN_ENTRIES } from '../../main/core/library/walk-thread.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { snapshotTree } from './scan-fixtures.ts';

describe('scan of a generated library matches what was generated', () => {
  let t: TestEngine;
  let lib: GeneratedLibrary;
  let summary: ScanSummary;
  let details: Map<string, ItemDetail>;
  let libraryId: number;

  beforeAll(async () => {
    t = await makeTestEngine();
    lib = await generateLibrary(path.join(t.tempDir('gen'), 'Movies'), {
      movies: 160,
      seed: 11,
      nfoFraction: 0.4,
      artFraction: 0.3,
    });
    const added = await t.client.call('library-add', { path: lib.root });
    libraryId = added.id;
    summary = await t.client.call('scan', { libraryId });
    const list = await t.client.call('items-list', { limit: 10_000 });
    details = new Map();
    for (const i of list.items) {
      const d = await t.client.call('item-get', { id: i.id });
      details.set(d.videoPath!, d);
    }
  }, 120_000);
  afterAll(async () => t?.cleanup());

  it('is deterministic from its seed', async () => {
    const again = await generateLibrary(path.join(t.tempDir('gen2'), 'Movies'), {
      movies: 160,
      seed: 11,
      nfoFraction: 0.4,
      artFraction: 0.3,
    });
    const rel = (g: GeneratedLibrary) => JSON.stringify(g.movies).split(g.root).join('<root>');
    expect(rel(again)).toBe(rel(lib));
    const shape = (root: string) => snapshotTree(root).map((e) => [e.path.slice(root.length), e.type, e.size]);
    expect(shape(again.root)).toEqual(shape(lib.root));
  });

  it('finds every generated movie and nothing else', () => {
    expect(summary.added).toBe(lib.movies.length);
    expect([...details.keys()].sort()).toEqual(lib.movies.map((m) => m.videoPath).sort());
    for (const skipped of lib.skipped) expect(details.has(skipped)).toBe(false);
    const tags = new Set(lib.movies.flatMap((m) => m.tags));
    for (const tag of [
      'release-name',
      'collection',
      'stacked',
      'dvd',
      'bluray',
      'loose',
      'id-in-name',
      'newline',
      'zero-byte',
    ])
      expect(tags).toContain(tag);
  });

  it('reads layout, title, year and ids as generated', () => {
    const wrong: string[] = [];
    for (const m of lib.movies) {
      const d = details.get(m.videoPath)!;
      const title = m.nfo === 'valid' || m.nfo === 'legacy-id' ? m.title : m.nameTitle;
      const tmdbId = m.nfo === 'valid' || m.nfo === 'url' || m.tags.includes('id-in-name') ? m.tmdbId : null;
      const imdbId = m.nfo === 'valid' || m.nfo === 'legacy-id' || m.nfo === 'malformed' ? m.imdbId : null;
      const got = {
        layout: d.layout,
        title: d.title,
        year: d.year,
        tmdbId: d.tmdbId,
        imdbId: d.imdbId,
        basename: d.basename,
      };
      const want = { layout: m.layout, title, year: m.year, tmdbId, imdbId, basename: m.basename };
      if (JSON.stringify(got) !== JSON.stringify(want))
        wrong.push(`${m.videoPath}\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('turns every generated picture into an original slot', () => {
    const wrong: string[] = [];
    for (const m of lib.movies) {
      const d = details.get(m.videoPath)!;
      const slots = new Set(d.slots.filter((s) => s.chosenBy === 'original').map((s) => `${s.assetType}#${s.rank}`));
      const want = new Set(m.art.map((a) => `${a.type}#${a.rank}`));
      if ([...want].sort().join() !== [...slots].sort().join())
        wrong.push(`${m.folder}: slots ${[...slots]} want ${[...want]}`);
      for (const a of m.art) {
        const file = d.libraryFiles.find((x) => x.path === path.join(m.folder, a.rel));
        if (!file || file.width === null || file.sha256.length !== 64) wrong.push(`${m.folder}: ${a.rel} not recorded`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reports the problems it was given and only those', () => {
    const expected = lib.movies
      .filter((m) => m.expectError)
      .map((m) => m.videoPath)
      .sort();
    const withErrors = [...details.values()]
      .filter((d) => d.error !== null)
      .map((d) => d.videoPath!)
      .sort();
    expect(withErrors).toEqual(expected);
    for (const h of lib.hostile) expect(summary.errors.some((e) => e.path === h)).toBe(true);
  });

  it('reads a large first scan on a worker thread, with the same result as reading in-thread', async () => {
    expect(readdirSync(lib.root).length).toBeGreaterThanOrEqual(WALK_THREAD_MIN_ENTRIES);
    expect(readFileSync(path.join(t.dataDir, 'logs', 'posterity.log'), 'utf8')).toContain('worker thread');
    // A deep rescan reads every folder and file again on the scanning thread: it must agree.
    const deep = await t.client.call('scan', { libraryId, deep: true });
    expect(deep).toMatchObject({ added: 0, updated: 0, missing: 0, moved: 0, unchanged: lib.movies.length });
    const list = await t.client.call('items-list', { limit: 10_000 });
    for (const i of list.items) {
      const d = await t.client.call('item-get', { id: i.id });
      expect(d).toEqual(details.get(d.videoPath!));
    }
  });

  it('finds the same when several threads read a first scan at once (as on a network share)', async () => {
    const other = await makeTestEngine();
    try {
      await other.client.call('config-set', { key: 'scan.walkThreads', value: 3 });
      const { id } = await other.client.call('library-add', { path: lib.root });
      const r = await other.client.call('scan', { libraryId: id });
      expect(r).toMatchObject({ added: summary.added, folders: summary.folders });
      expect([...r.errors].map((e) => `${e.path}: ${e.reason}`).sort()).toEqual(
        [...summary.errors].map((e) => `${e.path}: ${e.reason}`).sort(),
      );
      expect(readFileSync(path.join(other.dataDir, 'logs', 'posterity.log'), 'utf8')).toContain('3 worker threads');
      const list = await other.client.call('items-list', { limit: 10_000 });
      for (const i of list.items) {
        const d = await other.client.call('item-get', { id: i.id });
        // Item ids follow the order folders were read in; everything else is the same.
        const mine = details.get(d.videoPath!)!;
        const noIds = (x: ItemDetail) =>
          JSON.parse(JSON.stringify(x).replace(/"(id|itemId|libraryId|libraryFileId)":\d+/g, '"$1":0'));
        expect(noIds(d)).toEqual(noIds(mine));
      }
    } finally {
      await other.cleanup();
    }
  });

  it('rescans without change in every folder, writing nothing', async () => {
    const before = snapshotTree(lib.root);
    const r = await t.client.call('scan', { libraryId });
    expect(r).toMatchObject({ added: 0, updated: 0, missing: 0, moved: 0, unchanged: lib.movies.length });
    expect(r.unchangedFolders).toBe(r.folders);
    expect(snapshotTree(lib.root)).toEqual(before);
  });
});
