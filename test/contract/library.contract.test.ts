import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSET_TYPES } from '../../shared/asset-types.ts';
import type { Progress } from '../../shared/api/index.ts';
import { DOORS, openDoor, type DoorFixture } from '../helpers/doors.ts';
import { jpeg, makeTree } from '../integration/scan-fixtures.ts';

const GB = 1_000_000_000;

describe.each(DOORS)('library API through the %s door', (door) => {
  let f: DoorFixture;
  afterEach(async () => f?.cleanup());

  async function withLibrary() {
    f = await openDoor(door);
    const root = f.tempDir('movies');
    makeTree(root, {
      'Heat (1995)/Heat.mkv': { size: GB },
      'Heat (1995)/poster.jpg': await jpeg(300, 450, 51),
      'Heat (1995)/movie.nfo': '<movie><title>Heat</title><uniqueid type="tmdb">949</uniqueid></movie>',
      'Ronin (1998)/Ronin.mkv': { size: GB + 1 },
      'Broken (2000)/Broken.mkv': '',
    });
    const lib = await f.api.call('library-add', { path: root });
    return { root: lib.path, lib };
  }

  it('adds, lists and removes libraries; removing forgets items and touches no file', async () => {
    const { root, lib } = await withLibrary();
    expect(lib).toEqual({
      id: expect.any(Number),
      path: root,
      name: path.basename(root),
      kind: 'movies',
      namingStyle: null,
      publishMode: null,
      state: 'ok',
      createdAt: expect.any(Number),
      lastScanAt: null,
      itemCount: 0,
      missingCount: 0,
      errorCount: 0,
    });
    await f.api.call('scan', {});
    const [listed] = await f.api.call('library-list', {});
    expect(listed).toMatchObject({ id: lib.id, itemCount: 3, errorCount: 1, lastScanAt: expect.any(Number) });
    const removed = await f.api.call('library-remove', { id: lib.id });
    expect(removed).toEqual({ removed: lib.id, items: 3 });
    expect(await f.api.call('library-list', {})).toEqual([]);
    expect((await f.api.call('items-list', {})).total).toBe(0);
    expect((await import('node:fs')).existsSync(path.join(root, 'Heat (1995)', 'poster.jpg'))).toBe(true);
    await expect(f.api.call('library-remove', { id: lib.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('scans with a summary and progress, and lists item summaries', async () => {
    const { lib } = await withLibrary();
    const progress: Progress[] = [];
    const summary = await f.api.call('scan', { libraryId: lib.id }, { onProgress: (p) => progress.push(p) });
    expect(summary).toEqual({
      libraryIds: [lib.id],
      folders: 4,
      unchangedFolders: 0,
      added: 3,
      updated: 0,
      unchanged: 0,
      missing: 0,
      moved: 0,
      errors: [
        {
          path: expect.stringContaining('Broken.mkv'),
          reason: expect.stringMatching(/empty/),
          itemId: expect.any(Number),
        },
      ],
      durationMs: expect.any(Number),
      originalsKept: 1, // its poster.jpg, copied into the cache
    });
    if (door === 'in-process') expect(progress.length).toBeGreaterThan(0);

    const list = await f.api.call('items-list', { libraryId: lib.id });
    expect(list.total).toBe(3);
    const heat = list.items.find((i) => i.title === 'Heat')!;
    expect(heat).toEqual({
      id: expect.any(Number),
      libraryId: lib.id,
      kind: 'movie',
      title: 'Heat',
      year: 1995,
      state: 'identified',
      monitored: true,
      tmdbId: 949,
      imdbId: null,
      folder: expect.stringMatching(/Heat \(1995\)$/),
      basename: 'Heat',
      layout: 'own-folder',
      error: null,
      posterSha: expect.stringMatching(/^[0-9a-f]{64}$/),
      art: Object.fromEntries(ASSET_TYPES.map((t) => [t, t === 'poster'])),
      locked: { fields: 0, slots: 0, match: false },
      updatedAt: expect.any(Number),
    });

    const detail = await f.api.call('item-get', { id: heat.id });
    expect(detail).toMatchObject({ ...heat, videoSize: GB, fields: { title: 'Heat' }, lockedFields: [] });
    expect(detail.slots).toEqual([
      {
        assetType: 'poster',
        rank: 0,
        blobSha: heat.posterSha,
        candidateId: null,
        libraryFileId: expect.any(Number),
        chosenBy: 'original',
        locked: false,
        updatedAt: expect.any(Number),
      },
    ]);
    expect(detail.libraryFiles.map((x) => [path.basename(x.path), x.role, x.origin])).toEqual([
      ['movie.nfo', 'nfo', 'original'],
      ['poster.jpg', 'art', 'original'],
    ]);
  });

  it('filters, sorts and pages', async () => {
    const { lib } = await withLibrary();
    await f.api.call('scan', { libraryId: lib.id });
    const titles = async (p: Parameters<typeof f.api.call<'items-list'>>[1]) =>
      (await f.api.call('items-list', p)).items.map((i) => i.title);
    expect(await titles({})).toEqual(['Broken', 'Heat', 'Ronin']);
    expect(await titles({ sort: 'year', order: 'desc' })).toEqual(['Broken', 'Ronin', 'Heat']);
    expect(await titles({ missingArt: true })).toEqual(['Broken', 'Heat', 'Ronin']);
    expect(await titles({ missingType: 'poster' })).toEqual(['Broken', 'Ronin']);
    expect(await titles({ hasErrors: true })).toEqual(['Broken']);
    expect(await titles({ hasErrors: false })).toEqual(['Heat', 'Ronin']);
    expect(await titles({ state: 'identified' })).toEqual(['Heat']);
    expect(await titles({ search: 'ONIN' })).toEqual(['Ronin']);
    expect(await titles({ limit: 1, offset: 1 })).toEqual(['Heat']);
    expect(await titles({ locked: true })).toEqual([]);
  });

  it('monitors and unmonitors items', async () => {
    const { lib } = await withLibrary();
    await f.api.call('scan', { libraryId: lib.id });
    const ids = (await f.api.call('items-list', {})).items.map((i) => i.id);
    expect(await f.api.call('items-set-monitored', { ids, monitored: false })).toEqual({ updated: 3 });
    expect(await f.api.call('items-set-monitored', { ids, monitored: false })).toEqual({ updated: 0 });
    expect((await f.api.call('items-list', { monitored: false })).total).toBe(3);
    expect(await f.api.call('items-set-monitored', { ids: [ids[0]!], monitored: true })).toEqual({ updated: 1 });
    expect((await f.api.call('item-get', { id: ids[0]! })).monitored).toBe(true);
  });

  it('refuses bad parameters and unknown ids', async () => {
    f = await openDoor(door);
    await expect(f.api.call('library-add', { path: 'not/absolute' })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'path',
    });
    await expect(f.api.call('library-add', { path: '/x', kind: 'tv' } as never)).rejects.toMatchObject({
      code: 'bad_request',
      field: 'kind',
    });
    await expect(f.api.call('library-add', { path: '/x', extra: 1 } as never)).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(f.api.call('scan', { libraryId: 999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.api.call('item-get', { id: 999 })).rejects.toMatchObject({ code: 'not_found', field: 'id' });
    await expect(f.api.call('items-list', { state: 'lost' } as never)).rejects.toMatchObject({
      code: 'bad_request',
      field: 'state',
    });
    await expect(f.api.call('items-list', { limit: 0 })).rejects.toMatchObject({ code: 'bad_request', field: 'limit' });
    await expect(f.api.call('items-set-monitored', { ids: [], monitored: true })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'ids',
    });
    expect(await f.api.call('scan', {})).toMatchObject({ libraryIds: [], added: 0 });
  });
});
