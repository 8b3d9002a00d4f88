import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WatchChange } from '../../main/core/library/index.ts';
import { folderForEvent } from '../../main/core/library/watcher.ts';
import { jpeg, makeTree, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const GB = 1_000_000_000;

/** Resolves when `pred` holds for the changes seen so far (polling; no timing assertions). */
async function until(changes: WatchChange[], pred: (c: WatchChange[]) => boolean, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!pred(changes)) {
    if (Date.now() - t0 > ms) throw new Error(`watcher did not report in time; saw ${JSON.stringify(changes)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('watching libraries', () => {
  let f: ScanFixture;
  afterEach(async () => f?.cleanup());

  it.each<[string, 'file' | 'dir', string | null]>([
    ['Heat (1995)', 'dir', 'Heat (1995)'],
    ['Heat (1995)/poster.jpg', 'file', 'Heat (1995)'],
    ['Heat (1995)/Heat.mkv', 'file', 'Heat (1995)'],
    ['Heat (1995)/Heat.nfo', 'file', 'Heat (1995)'],
    ['Heat (1995)/notes.txt', 'file', null],
    ['Heat (1995)/extrafanart/fanart3.jpg', 'file', 'Heat (1995)'],
    ['Heat (1995)/extrafanart', 'dir', 'Heat (1995)'],
    ['Heat (1995)/.actors/Al_Pacino.jpg', 'file', 'Heat (1995)'],
    ['DVD (1990)/VIDEO_TS/VTS_01_1.VOB', 'file', 'DVD (1990)'],
    ['DVD (1990)/VIDEO_TS', 'dir', 'DVD (1990)'],
    ['Heat (1995)/Sample/sample.mkv', 'file', null],
    ['Loose (2001).mkv', 'file', ''],
    ['Heat (1995)/Extras/Making Of.mkv', 'file', 'Heat (1995)'],
    ['Heat (1995)/Featurettes', 'dir', 'Heat (1995)'],
    ['Other/Heat (1995)/Heat.mkv', 'file', 'Other/Heat (1995)'],
    ['Stacked (1999)/CD2/part.avi', 'file', 'Stacked (1999)'],
    ['Stacked (1999)/Disc1', 'dir', 'Stacked (1999)'],
    // Without an index.bdmv beside it, STREAM is an ordinary folder name.
    ['Stream (2011)/STREAM/00001.m2ts', 'file', 'Stream (2011)/STREAM'],
  ])('an event at %s (%s) rescans %j', (rel, kind, expected) => {
    const root = '/lib';
    expect(folderForEvent(root, path.join(root, rel), kind)).toBe(expected === null ? null : path.join(root, expected));
  });

  it("rescans the movie, not the piece, when a change is inside a loose disc's folder or a stacked part", async () => {
    f = await scanFixture({
      'Loose Disc (2010)/index.bdmv': 'INDX0200',
      'Loose Disc (2010)/STREAM/00000.m2ts': { size: GB },
      'Stacked (1999)/CD1/Stacked.avi': { size: GB },
      'Stacked (1999)/CD2/Stacked.avi': { size: GB + 1 },
    });
    await f.scan();
    const before = (await f.items()).map((i) => i.title).sort();
    expect(before).toEqual(['Loose Disc', 'Stacked']);
    expect(folderForEvent(f.root, path.join(f.root, 'Loose Disc (2010)', 'STREAM', '00001.m2ts'), 'file')).toBe(
      path.join(f.root, 'Loose Disc (2010)'),
    );
    const lib = f.engine.services.library;
    writeFileSync(path.join(f.root, 'Loose Disc (2010)', 'STREAM', '00001.m2ts'), 'more');
    await lib.scanFolder(path.join(f.root, 'Loose Disc (2010)', 'STREAM'));
    await lib.scanFolder(path.join(f.root, 'Stacked (1999)', 'CD2'));
    expect((await f.items()).map((i) => i.title).sort()).toEqual(before);
  });

  it("does not report what its own publishing wrote, but does report the user's change right after", async () => {
    f = await scanFixture({
      'Heat (1995)/Heat.mkv': { size: GB },
      'Heat (1995)/poster.jpg': await jpeg(300, 450, 42),
      'Ronin (1998)/Ronin.mkv': { size: GB + 1 },
    });
    await f.scan();
    const changes: WatchChange[] = [];
    const stop = await f.engine.services.library.watch('all', (c) => changes.push(c), { debounceMs: 150 });
    try {
      // Publishing a new poster for each: written under both names, and Heat's own poster recycled.
      const heat = await f.byFolder('Heat (1995)');
      const ronin = await f.byFolder('Ronin (1998)');
      const picture = path.join(f.tempDir('imports'), 'poster.jpg');
      writeFileSync(picture, await jpeg(300, 450, 44));
      for (const item of [heat, ronin])
        await f.client.call('cache-import', { itemId: item.id, type: 'poster', file: picture });
      const published = await f.client.call('publish', { itemIds: [heat.id, ronin.id] });
      expect(published).toMatchObject({ written: 2, linked: 2, recycled: 1 });
      // A change of the user's, after the publish: only it is reported.
      makeTree(f.root, { 'Ronin (1998)/fanart.jpg': await jpeg(400, 225, 43) });
      await until(changes, (c) => c.some((x) => x.folder.endsWith('Ronin (1998)')));
      await new Promise((r) => setTimeout(r, 500));
      expect(changes.map((c) => path.relative(f.root, c.folder))).toEqual(['Ronin (1998)']);
    } finally {
      stop();
      await f.engine.services.library.stopWatching();
    }
  });

  it('reports new and removed movie folders and deleted artwork, once per folder', async () => {
    f = await scanFixture({
      'Heat (1995)/Heat.mkv': { size: GB },
      'Heat (1995)/poster.jpg': await jpeg(300, 450, 41),
      'Ronin (1998)/Ronin.mkv': { size: GB + 1 },
    });
    await f.scan();
    const changes: WatchChange[] = [];
    const stop = await f.engine.services.library.watch('all', (c) => changes.push(c), { debounceMs: 150 });
    try {
      makeTree(f.root, { 'Manhunter (1986)/Manhunter.mkv': { size: GB + 2 } });
      await until(changes, (c) => c.some((x) => x.folder.endsWith('Manhunter (1986)')));
      unlinkSync(path.join(f.root, 'Heat (1995)', 'poster.jpg'));
      await until(changes, (c) => c.some((x) => x.folder.endsWith('Heat (1995)')));
      rmSync(path.join(f.root, 'Ronin (1998)'), { recursive: true });
      await until(changes, (c) => c.some((x) => x.folder.endsWith('Ronin (1998)')));

      expect(changes.find((x) => x.folder.endsWith('Manhunter (1986)'))).toEqual({
        libraryId: f.libraryId,
        folder: path.join(f.root, 'Manhunter (1986)'),
        reason: 'added',
      });
      expect(changes.find((x) => x.folder.endsWith('Heat (1995)'))).toMatchObject({ reason: 'changed' });
      expect(changes.find((x) => x.folder.endsWith('Ronin (1998)'))).toMatchObject({ reason: 'removed' });
      // A new folder with a file in it comes as one report for the folder.
      expect(changes.filter((x) => x.folder.endsWith('Manhunter (1986)'))).toHaveLength(1);

      // The daemon's part: rescan what was reported.
      for (const c of changes) await f.engine.services.library.scanFolder(c.folder);
      const items = await f.items();
      // The deleted poster stays Heat's poster: the scan kept a copy, and a publish puts it back.
      expect(items.map((i) => [i.title, i.state, i.art.poster])).toEqual([
        ['Heat', 'new', true],
        ['Manhunter', 'new', false],
        ['Ronin', 'missing', false],
      ]);
    } finally {
      stop();
      await f.engine.services.library.stopWatching();
    }
  });

  it('rescans by itself when nobody subscribed, and a move keeps identity', async () => {
    f = await scanFixture({ 'Thief (1981)/Thief.mkv': { size: GB } });
    await f.scan();
    const thief = await f.byFolder('Thief (1981)');
    await f.engine.services.library.startWatching({ debounceMs: 100 });
    try {
      mkdirSync(path.join(f.root, 'Mann'));
      renameSync(path.join(f.root, 'Thief (1981)'), path.join(f.root, 'Mann', 'Thief (1981)'));
      const t0 = Date.now();
      for (;;) {
        const item = await f.detail(thief.id);
        if (item.folder === path.join(f.root, 'Mann', 'Thief (1981)') && item.state === 'new') break;
        if (Date.now() - t0 > 15_000) throw new Error(`not rescanned: ${item.folder} ${item.state}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await f.items()).toHaveLength(1);
    } finally {
      await f.engine.services.library.stopWatching();
    }
  });

  it('stops cleanly and ignores changes after stopping', async () => {
    f = await scanFixture({ 'A (2001)/A.mkv': { size: GB } });
    const changes: WatchChange[] = [];
    const stop = await f.engine.services.library.watch(f.libraryId, (c) => changes.push(c), { debounceMs: 50 });
    stop();
    await f.engine.services.library.stopWatching();
    writeFileSync(path.join(f.root, 'A (2001)', 'poster.jpg'), await jpeg(300, 450, 42));
    await new Promise((r) => setTimeout(r, 300));
    expect(changes).toEqual([]);
  });
});
