import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLibrary } from '../../scripts/generate-library.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

/**
 * A share unmounted or a drive pulled while a scan reads it: the folders the walk could no longer
 * reach are not movies that were deleted. The library goes offline, as when its folder is missing
 * at the start, and every movie keeps its state until the folder is back.
 */
describe('the library folder goes away during a scan', () => {
  let t: TestEngine | undefined;
  afterEach(async () => t?.cleanup());

  it('marks the library offline and no movie missing; the next scan with the folder back finds them all', async () => {
    t = await makeTestEngine();
    const lib = await generateLibrary(path.join(t.tempDir('lib'), 'Movies'), { movies: 300, seed: 4 });
    const s = t.engine.services;
    const { id } = await s.library.addLibrary({ path: lib.root });
    const first = await s.library.scanLibrary(id);
    const aside = `${lib.root}-unmounted`;
    let pulled = false;
    // A deep rescan reads every folder on this thread, reporting progress between slices of the
    // walk: the first report is mid-walk, when the share goes.
    const r = await s.library.scanLibrary(id, {
      deep: true,
      onProgress: (p) => {
        if (pulled || p.done === 0 || p.done >= p.total) return;
        renameSync(lib.root, aside);
        pulled = true;
      },
    });
    expect(pulled).toBe(true);
    expect(r.missing).toBe(0);
    expect(r.errors[0]!.reason).toMatch(/went away during the scan|could not be read during the scan/);
    const items = await t.client.call('items-list', { limit: 10_000 });
    expect(items.items.filter((i) => i.state === 'missing')).toEqual([]);
    expect((await t.client.call('library-list', {}))[0]!.state).toBe('missing');

    renameSync(aside, lib.root);
    expect(existsSync(lib.root)).toBe(true);
    const back = await s.library.scanLibrary(id);
    expect(back.missing).toBe(0);
    expect(back.added).toBe(0);
    expect((await t.client.call('items-list', { limit: 10_000 })).total).toBe(first.added);
    expect((await t.client.call('library-list', {}))[0]!.state).toBe('ok');
  });
});
