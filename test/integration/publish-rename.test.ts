import { existsSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { executeItemPlan } from '../../main/core/publish/execute.ts';
import { FsWorkers } from '../../main/core/publish/fs-workers.ts';
import { LedgerBatch } from '../../main/core/publish/ledger.ts';
import { loadItems } from '../../main/core/publish/load.ts';
import { prepareItem } from '../../main/core/publish/publisher.ts';
import { makePublishFixture, pictureBytes, sha256, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture;
afterEach(async () => f?.cleanup());

/**
 * A naming-style change (or a renamed video) changes the names of files Posterity published.
 * The file already holds the chosen bytes, so it is renamed, not copied again beside a copy in
 * the recycle bin: a library of thousands of movies must not double its artwork on disk.
 */
describe('publishing after a name change renames what Posterity published', () => {
  const ledgerOf = (id: number) =>
    f.s.db.selectFrom('library_files').selectAll().where('item_id', '=', id).orderBy('path').execute();

  it('a naming-style change: same inode under the new name, its ledger row moved, nothing recycled; a dry run says so first', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Heat (1995)', basename: 'Heat (1995)' });
    const poster = await f.image(101);
    const fanart = await f.image(102, { width: 320, height: 180 });
    await f.choose(m.id, 'poster', poster);
    await f.choose(m.id, 'fanart', fanart);
    expect((await f.client.call('publish', { itemIds: [m.id] })).errors).toEqual([]);
    const oldPoster = path.join(m.folder, 'Heat (1995)-poster.jpg');
    const inode = statSync(oldPoster).ino;
    const rowBefore = (await ledgerOf(m.id)).find((r) => r.path === oldPoster)!;

    await f.s.db.updateTable('libraries').set({ naming_style: 'folder' }).execute();
    const dry = await f.client.call('publish', { itemIds: [m.id], dryRun: true });
    expect(dry.plan!.map((p) => [p.action, path.basename(p.path ?? ''), p.reason])).toEqual([
      ['rename', 'fanart.jpg', 'renamed from Heat (1995)-fanart.jpg'],
      ['rename', 'poster.jpg', 'renamed from Heat (1995)-poster.jpg'],
    ]);
    expect(dry).toMatchObject({ renamed: 2, written: 0, recycled: 0 });
    expect(f.files(m.folder)).toEqual(['Heat (1995)-fanart.jpg', 'Heat (1995)-poster.jpg']);

    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ renamed: 2, written: 0, linked: 0, recycled: 0, bytes: 0, errors: [] });
    expect(f.files(m.folder)).toEqual(['fanart.jpg', 'poster.jpg']);
    const newPoster = path.join(m.folder, 'poster.jpg');
    expect(statSync(newPoster).ino).toBe(inode);
    expect(f.sha(newPoster)).toBe(poster.sha256);
    expect(await f.client.call('recycle-list', {})).toEqual([]);
    // The row followed the file: same id, new path, nothing left at the old one.
    const rows = await ledgerOf(m.id);
    expect(rows.map((row) => path.basename(row.path))).toEqual(['fanart.jpg', 'poster.jpg']);
    expect(rows.find((row) => row.path === newPoster)).toMatchObject({
      id: rowBefore.id,
      origin: 'published',
      asset_type: 'poster',
      sha256: poster.sha256,
    });

    const again = await f.client.call('publish', { itemIds: [m.id] });
    expect(again).toMatchObject({ renamed: 0, written: 0, recycled: 0, unchanged: 2, errors: [] });
    expect((await f.client.call('verify', { itemIds: [m.id] })).clean).toBe(1);
  });

  it('a renamed video: the basename file takes the new basename, the folder twin stays linked to it', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Ran', basename: 'Ran (1985) DVD' });
    const poster = await f.image(103);
    await f.choose(m.id, 'poster', poster);
    expect((await f.client.call('publish', { itemIds: [m.id] })).errors).toEqual([]);
    const inode = statSync(path.join(m.folder, 'Ran (1985) DVD-poster.jpg')).ino;

    // The user renamed the video; a scan records the new name.
    const video = path.join(m.folder, 'Ran (1985) Bluray.mkv');
    renameSync(path.join(m.folder, 'Ran (1985) DVD.mkv'), video);
    await f.s.db
      .updateTable('items')
      .set({ basename: 'Ran (1985) Bluray', video_path: video })
      .where('id', '=', m.id)
      .execute();
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ renamed: 1, written: 0, recycled: 0, errors: [] });
    expect(f.files(m.folder)).toEqual(['Ran (1985) Bluray-poster.jpg', 'poster.jpg']);
    expect(statSync(path.join(m.folder, 'Ran (1985) Bluray-poster.jpg')).ino).toBe(inode);
    expect(statSync(path.join(m.folder, 'poster.jpg')).ino).toBe(inode);
    expect(await f.client.call('recycle-list', {})).toEqual([]);
  });

  it('hardlink mode: the library file is renamed and stays the cache file; the cache file is untouched', async () => {
    f = await makePublishFixture();
    await f.client.call('config-set', { key: 'publish.mode', value: 'hardlink' });
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Ikiru (1952)', basename: 'Ikiru (1952)' });
    const poster = await f.image(104);
    await f.choose(m.id, 'poster', poster);
    expect((await f.client.call('publish', { itemIds: [m.id] })).errors).toEqual([]);
    const cached = (await f.s.cache.pathOf(poster.sha256))!;
    const cacheInode = statSync(cached).ino;
    expect(statSync(path.join(m.folder, 'Ikiru (1952)-poster.jpg')).ino).toBe(cacheInode);

    await f.s.db.updateTable('libraries').set({ naming_style: 'folder' }).execute();
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ written: 0, linked: 0, recycled: 0, errors: [] });
    expect(f.files(m.folder)).toEqual(['poster.jpg']);
    expect(statSync(path.join(m.folder, 'poster.jpg')).ino).toBe(cacheInode);
    expect(statSync(cached).ino).toBe(cacheInode);
    expect(sha256(readFileSync(cached))).toBe(poster.sha256);
    expect(statSync(cached).nlink).toBe(2);
    expect(await f.client.call('recycle-list', {})).toEqual([]);
  });

  it('a file edited since it was published is not renamed: a fresh copy, the edit to the recycle bin', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Brazil (1985)', basename: 'Brazil (1985)' });
    const poster = await f.image(105);
    await f.choose(m.id, 'poster', poster);
    await f.client.call('publish', { itemIds: [m.id] });
    const old = path.join(m.folder, 'Brazil (1985)-poster.jpg');
    const edit = await pictureBytes(106);
    writeFileSync(old, edit);

    await f.s.db.updateTable('libraries').set({ naming_style: 'folder' }).execute();
    const dry = await f.client.call('publish', { itemIds: [m.id], dryRun: true });
    expect(dry.plan!.map((p) => p.action).sort()).toEqual(['recycle', 'write']);
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ written: 1, recycled: 1, renamed: 0, errors: [] });
    expect(f.files(m.folder)).toEqual(['poster.jpg']);
    expect(f.sha(path.join(m.folder, 'poster.jpg'))).toBe(poster.sha256);
    const bin = await f.client.call('recycle-list', {});
    expect(bin.map((e) => [e.originalPath, sha256(readFileSync(e.storedPath))])).toEqual([[old, sha256(edit)]]);
  });

  it('an occupied new name is handled as before: a stranger’s file blocks the rename, clean-up moves it aside first', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Solaris (1972)', basename: 'Solaris (1972)' });
    const poster = await f.image(107);
    await f.choose(m.id, 'poster', poster);
    await f.client.call('publish', { itemIds: [m.id] });
    const old = path.join(m.folder, 'Solaris (1972)-poster.jpg');
    const inode = statSync(old).ino;
    const theirs = await pictureBytes(108);
    writeFileSync(path.join(m.folder, 'poster.jpg'), theirs);

    await f.s.db.updateTable('libraries').set({ naming_style: 'folder' }).execute();
    const blocked = await f.client.call('publish', { itemIds: [m.id] });
    expect(blocked.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/poster.jpg is a file Posterity did not write/),
    ]);
    // Nothing moved: our file keeps its old name, the stranger's file is as it was.
    expect(statSync(old).ino).toBe(inode);
    expect(f.sha(path.join(m.folder, 'poster.jpg'))).toBe(sha256(theirs));
    expect(await f.client.call('recycle-list', {})).toEqual([]);

    await f.client.call('config-set', { key: 'publish.cleanupUnknownImages', value: true });
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ written: 0, recycled: 1, errors: [] });
    expect(existsSync(old)).toBe(false);
    expect(statSync(path.join(m.folder, 'poster.jpg')).ino).toBe(inode);
    const bin = await f.client.call('recycle-list', {});
    expect(bin.map((e) => sha256(readFileSync(e.storedPath)))).toEqual([sha256(theirs)]);
  });

  it('extra fanart: the old name becomes the basename file, and extrafanart/ links to it', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'folder' }).execute();
    const m = await f.addMovie({ folder: 'Stalker (1979)', basename: 'Stalker (1979)' });
    await f.choose(m.id, 'fanart', await f.image(109, { width: 320, height: 180 }));
    const extra = await f.image(110, { width: 320, height: 180 });
    await f.choose(m.id, 'fanart', extra, { rank: 1 });
    await f.client.call('publish', { itemIds: [m.id] });
    const inode = statSync(path.join(m.folder, 'fanart1.jpg')).ino;

    // Basename style with the extrafanart folder: fanart1.jpg is no longer a wanted name.
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    await f.client.call('config-set', { key: 'naming.extrafanartFolder', value: true });
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ recycled: 0, errors: [] });
    expect(f.files(m.folder)).toEqual([
      'Stalker (1979)-fanart.jpg',
      'Stalker (1979)-fanart1.jpg',
      'extrafanart/fanart1.jpg',
    ]);
    expect(statSync(path.join(m.folder, 'Stalker (1979)-fanart1.jpg')).ino).toBe(inode);
    expect(statSync(path.join(m.folder, 'extrafanart', 'fanart1.jpg')).ino).toBe(inode);
  });

  it('a file that changed between the plan and the rename is copied as before, the old name recycled', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Vertigo (1958)', basename: 'Vertigo (1958)' });
    const poster = await f.image(111);
    await f.choose(m.id, 'poster', poster);
    await f.client.call('publish', { itemIds: [m.id] });
    const old = path.join(m.folder, 'Vertigo (1958)-poster.jpg');
    const inode = statSync(old).ino;

    await f.s.db.updateTable('libraries').set({ naming_style: 'folder' }).execute();
    const { items } = await loadItems(f.s, [m.id]);
    const prepared = await prepareItem(f.s, items[0]!, { automated: false, scrutiny: 'stat', downloadActors: false });
    expect(prepared.plan.ops.map((o) => o.op)).toEqual(['rename']);
    // Someone touches the file after the plan was made: it is no longer the file that was proven.
    utimesSync(old, new Date(), new Date(Date.now() - 60_000));
    const workers = new FsWorkers(2);
    const ledger = new LedgerBatch(f.s.db, () => f.s.clock.now());
    try {
      const out = await executeItemPlan(f.s, prepared.plan, m.folder, {
        mode: 'copy',
        dryRun: false,
        automated: false,
        altSources: new Map(),
        temps: [],
        notes: new Set(),
        workers,
        ledger,
      });
      await ledger.flush();
      expect(out).toMatchObject({ written: 1, recycled: 1, renamed: 0, errors: [] });
    } finally {
      await workers.close();
    }
    const now = path.join(m.folder, 'poster.jpg');
    expect(f.files(m.folder)).toEqual(['poster.jpg']);
    expect(f.sha(now)).toBe(poster.sha256);
    expect(statSync(now).ino).not.toBe(inode);
    const bin = await f.client.call('recycle-list', {});
    expect(bin.map((e) => [e.originalPath, e.reason])).toEqual([
      [old, expect.stringMatching(/^the chosen image under a name no longer used/)],
    ]);
    const rows = await ledgerOf(m.id);
    expect(rows.map((r) => r.path)).toEqual([now]);
  });
});

describe('posterity publish and rebuild count renames', () => {
  async function cli(argv: string[]) {
    let stdout = '';
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true } };
    const code = await main(argv, { io, engineFactory: async () => f.engine });
    return { code, stdout };
  }

  it('says how many files were renamed, in words and in --json', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const a = await f.addMovie({ folder: 'Alien (1979)', basename: 'Alien (1979)' });
    const b = await f.addMovie({ folder: 'Aliens (1986)', basename: 'Aliens (1986)' });
    for (const [i, m] of [a, b].entries()) {
      await f.choose(m.id, 'poster', await f.image(120 + i));
      await f.choose(m.id, 'fanart', await f.image(130 + i, { width: 320, height: 180 }));
    }
    expect((await cli(['publish', '--all'])).stdout).toMatch(/Published 2 items \(copy\): 4 written, .* 0 renamed,/);

    await f.s.db.updateTable('libraries').set({ naming_style: 'folder' }).execute();
    const human = await cli(['publish', String(a.id)]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Published 1 items \(copy\): 0 written, 0 linked, 0 unchanged, 2 renamed, 0 to the recycle bin/);

    // rebuild restores what was published before: the other movie takes its new names there.
    const json = await cli(['--json', 'rebuild']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ items: 2, renamed: 2, written: 0, recycled: 0, unchanged: 2 });
    expect(f.files(b.folder)).toEqual(['fanart.jpg', 'poster.jpg']);
  });
});
