import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanSummary } from '../../shared/api/library.ts';
import { generateLibrary, type GeneratedLibrary } from '../../scripts/generate-library.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

/**
 * On slow storage a first scan reads with several threads and a rescan has its folders checked
 * by several threads before it compares. Here the storage is a local disk and the threads are
 * asked for through `scan.walkThreads`: every scan must say exactly what one thread says of the
 * same library.
 */
describe('scans with several threads, as on a network share', () => {
  let lib: GeneratedLibrary;
  let one: TestEngine;
  let several: TestEngine;
  const ids = { one: 0, several: 0 };

  beforeAll(async () => {
    one = await makeTestEngine();
    several = await makeTestEngine();
    lib = await generateLibrary(path.join(one.tempDir('lib'), 'Movies'), {
      movies: 140,
      seed: 21,
      nfoFraction: 0.5,
      artFraction: 0.4,
    });
    await one.client.call('config-set', { key: 'scan.walkThreads', value: 1 });
    await several.client.call('config-set', { key: 'scan.walkThreads', value: 3 });
    ids.one = (await one.client.call('library-add', { path: lib.root })).id;
    ids.several = (await several.client.call('library-add', { path: lib.root })).id;
  }, 60_000);
  afterAll(async () => {
    await one?.cleanup();
    await several?.cleanup();
  });

  /** What a user reads of a scan: the counts, and the problems in any order. */
  const said = (r: ScanSummary) => ({
    counts: [r.added, r.updated, r.unchanged, r.missing, r.moved, r.folders, r.unchangedFolders],
    errors: r.errors.map((e) => `${e.path}: ${e.reason}`).sort(),
  });
  const scanBoth = async (deep = false) => {
    const a = await one.client.call('scan', { libraryId: ids.one, deep });
    const b = await several.client.call('scan', { libraryId: ids.several, deep });
    expect(said(b)).toEqual(said(a));
    return b;
  };
  const log = (t: TestEngine) => readFileSync(path.join(t.dataDir, 'logs', 'posterity.log'), 'utf8');

  it('finds the same in a first scan', async () => {
    const r = await scanBoth();
    expect(r.added).toBe(lib.movies.length);
    expect(log(several)).toContain('3 worker threads');
  });

  it('finds nothing changed in a rescan of an unchanged library', async () => {
    const r = await scanBoth();
    expect(r).toMatchObject({ added: 0, updated: 0, missing: 0, unchanged: lib.movies.length });
    expect(r.unchangedFolders).toBe(r.folders);
    expect(log(several)).toMatch(/Rescan: checking \d+ folders on 3 worker threads/);
  });

  it('sees an NFO edited in place, a folder gone, one renamed and one new', async () => {
    const withNfo = lib.movies.find((m) => m.layout === 'own-folder' && m.nfo === 'valid')!;
    const nfo = readdirSync(withNfo.folder).find((n) => n.endsWith('.nfo'))!;
    appendFileSync(path.join(withNfo.folder, nfo), '\n<!-- edited -->\n');
    const [gone, renamed] = lib.movies.filter((m) => m.layout === 'own-folder' && m !== withNfo);
    rmSync(gone!.folder, { recursive: true });
    renameSync(renamed!.folder, `${renamed!.folder} [moved]`);
    const fresh = path.join(lib.root, 'Brand New (2024)');
    mkdirSync(fresh);
    writeFileSync(path.join(fresh, 'Brand New (2024).mkv'), 'video');
    const r = await scanBoth();
    expect(r).toMatchObject({ added: 1, missing: 1, moved: 1 });
    expect(r.updated).toBeGreaterThanOrEqual(1);
  });

  it('reads every folder again the same way in a deep scan', async () => {
    const r = await scanBoth(true);
    expect(r).toMatchObject({ added: 0, missing: 0 });
    expect(log(several)).toContain('Reading every folder again on 3 worker threads');
  });

  it('reads the library again the same way once its folder is back after being offline', async () => {
    const aside = `${lib.root}-unmounted`;
    renameSync(lib.root, aside);
    await scanBoth();
    renameSync(aside, lib.root);
    const r = await scanBoth();
    expect(r).toMatchObject({ added: 0, missing: 0 });
    expect(log(several).match(/Reading every folder again on 3 worker threads/g)).toHaveLength(2);
    const states = async (t: TestEngine) =>
      (await t.client.call('items-list', { limit: 10_000 })).items.map((i) => `${i.title}: ${i.state}`).sort();
    expect(await states(several)).toEqual(await states(one));
  });
});
