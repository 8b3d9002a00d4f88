import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jpeg, makeTree, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const GB = 1_000_000_000;

describe('rescans: incremental, and identity follows the movie', () => {
  let f: ScanFixture;
  let poster: Buffer;

  beforeEach(async () => {
    poster = await jpeg(300, 450, 21);
    f = await scanFixture({
      'Heat (1995)/Heat.1995.mkv': { size: GB + 1 },
      'Heat (1995)/Heat.1995.nfo': '<movie><title>Heat</title><uniqueid type="tmdb">949</uniqueid></movie>',
      'Heat (1995)/poster.jpg': poster,
      'Ronin (1998)/Ronin.mkv': { size: GB + 2 },
      'Collateral (2004)/Collateral.mkv': { size: GB + 3 },
      'Thief (1981)/Thief.mkv': { size: GB + 4 },
      'Sets/.keep': '',
    });
    // The scanner's own behaviour: the poster is not copied into the cache (see originals-protected).
    const first = await f.scanOnly();
    expect(first.added).toBe(4);
  });
  afterEach(async () => f?.cleanup());

  const db = () => f.engine.services.db;

  it('skips every unchanged folder on a rescan and changes nothing', async () => {
    const before = await f.items();
    const r = await f.scan();
    expect(r).toMatchObject({ added: 0, updated: 0, missing: 0, moved: 0, unchanged: 4, errors: [] });
    expect(r.unchangedFolders).toBe(r.folders);
    expect(await f.items()).toEqual(before);
  });

  it('adds a new movie and leaves the rest alone', async () => {
    makeTree(f.root, { 'Manhunter (1986)/Manhunter.mkv': { size: GB + 5 } });
    const r = await f.scan();
    expect(r).toMatchObject({ added: 1, updated: 0, missing: 0, moved: 0, unchanged: 4 });
    expect(r.unchangedFolders).toBe(r.folders - 2); // the root and the new folder were read
  });

  it('keeps the item, its choices and its locks when the folder is renamed', async () => {
    const heat = await f.byFolder('Heat (1995)');
    const s = f.engine.services;
    await db()
      .insertInto('slots')
      .values({
        item_id: heat.id,
        asset_type: 'fanart',
        rank: 0,
        blob_sha: 'f'.repeat(64),
        candidate_id: null,
        library_file_id: null,
        chosen_by: 'user',
        locked: 1,
        updated_at: s.clock.now(),
      })
      .execute();
    await db()
      .insertInto('field_locks')
      .values({ item_id: heat.id, field: 'plot', locked_at: s.clock.now() })
      .execute();
    renameSync(path.join(f.root, 'Heat (1995)'), path.join(f.root, 'Heat 1995 Directors Cut'));
    const r = await f.scan();
    expect(r).toMatchObject({ added: 0, moved: 1, missing: 0 });
    const moved = await f.detail(heat.id);
    expect(moved.folder).toBe(path.join(f.root, 'Heat 1995 Directors Cut'));
    expect(moved.state).toBe('identified');
    expect(moved.lockedFields).toEqual(['plot']);
    expect(moved.slots.map((x) => [x.assetType, x.chosenBy, x.locked])).toEqual([
      ['fanart', 'user', true],
      ['poster', 'original', false],
    ]);
    expect(moved.libraryFiles.map((x) => x.path).sort()).toEqual(
      [path.join(moved.folder, 'Heat.1995.nfo'), path.join(moved.folder, 'poster.jpg')].sort(),
    );
    expect(moved.slots.find((x) => x.assetType === 'poster')!.libraryFileId).toBe(
      moved.libraryFiles.find((x) => x.path.endsWith('poster.jpg'))!.id,
    );
  });

  it('follows a movie moved into a collection folder, and a renamed video file', async () => {
    const ronin = await f.byFolder('Ronin (1998)');
    const collateral = await f.byFolder('Collateral (2004)');
    mkdirSync(path.join(f.root, 'Sets', 'Frankenheimer'), { recursive: true });
    renameSync(path.join(f.root, 'Ronin (1998)'), path.join(f.root, 'Sets', 'Frankenheimer', 'Ronin (1998)'));
    renameSync(
      path.join(f.root, 'Collateral (2004)', 'Collateral.mkv'),
      path.join(f.root, 'Collateral (2004)', 'Collateral.2004.1080p.mkv'),
    );
    const r = await f.scan();
    expect(r).toMatchObject({ added: 0, moved: 2, missing: 0 });
    expect((await f.detail(ronin.id)).folder).toBe(path.join(f.root, 'Sets', 'Frankenheimer', 'Ronin (1998)'));
    expect((await f.detail(collateral.id)).basename).toBe('Collateral.2004.1080p');
    expect(await f.items()).toHaveLength(4);
  });

  it('keeps identity for an upgraded video (new file, new size) in the same folder', async () => {
    const thief = await f.byFolder('Thief (1981)');
    unlinkSync(path.join(f.root, 'Thief (1981)', 'Thief.mkv'));
    makeTree(f.root, { 'Thief (1981)/Thief.1981.2160p.REMUX.mkv': { size: 5 * GB } });
    const r = await f.scan();
    expect(r).toMatchObject({ added: 0, moved: 1 });
    expect((await f.detail(thief.id)).videoSize).toBe(5 * GB);
  });

  it('matches a copy on another path by its NFO id', async () => {
    const heat = await f.byFolder('Heat (1995)');
    cpSync(path.join(f.root, 'Heat (1995)'), path.join(f.root, 'Heat Copy'), { recursive: true });
    rmSync(path.join(f.root, 'Heat (1995)'), { recursive: true });
    // A different file name too, so only the id can tell.
    renameSync(path.join(f.root, 'Heat Copy', 'Heat.1995.mkv'), path.join(f.root, 'Heat Copy', 'Heat.mkv'));
    renameSync(path.join(f.root, 'Heat Copy', 'Heat.1995.nfo'), path.join(f.root, 'Heat Copy', 'Heat.nfo'));
    const r = await f.scan();
    expect(r).toMatchObject({ added: 0, moved: 1, missing: 0 });
    expect((await f.detail(heat.id)).folder).toBe(path.join(f.root, 'Heat Copy'));
  });

  it('marks a vanished movie missing, keeps everything, and brings it back', async () => {
    const heat = await f.byFolder('Heat (1995)');
    const before = await f.detail(heat.id);
    const aside = path.join(path.dirname(f.root), 'aside');
    renameSync(path.join(f.root, 'Heat (1995)'), aside);
    const r = await f.scan();
    expect(r).toMatchObject({ missing: 1, moved: 0 });
    const gone = await f.detail(heat.id);
    expect(gone.state).toBe('missing');
    expect(gone.slots).toEqual(before.slots);
    expect(gone.fields).toEqual(before.fields);
    expect((await f.client.call('items-list', { state: 'missing' })).items.map((i) => i.id)).toEqual([heat.id]);
    // A second scan does not count it again.
    expect((await f.scan()).missing).toBe(0);

    renameSync(aside, path.join(f.root, 'Heat (1995)'));
    const back = await f.scan();
    expect(back.moved + back.updated).toBe(1);
    const returned = await f.detail(heat.id);
    expect(returned.state).toBe('identified');
    expect(returned.slots).toEqual(before.slots);
  });

  it('never puts an original over a user choice or a locked slot', async () => {
    const heat = await f.byFolder('Heat (1995)');
    const now = f.engine.services.clock.now();
    await db()
      .updateTable('slots')
      .set({ chosen_by: 'user', blob_sha: 'a'.repeat(64), library_file_id: null })
      .where('item_id', '=', heat.id)
      .execute();
    const ronin = await f.byFolder('Ronin (1998)');
    await db()
      .insertInto('slots')
      .values({
        item_id: ronin.id,
        asset_type: 'poster',
        rank: 0,
        blob_sha: 'b'.repeat(64),
        candidate_id: null,
        library_file_id: null,
        chosen_by: 'original',
        locked: 1,
        updated_at: now,
      })
      .execute();
    writeFileSync(path.join(f.root, 'Heat (1995)', 'Heat.1995-poster.jpg'), await jpeg(300, 450, 22));
    writeFileSync(path.join(f.root, 'Ronin (1998)', 'poster.jpg'), await jpeg(300, 450, 23));
    const r = await f.scan();
    expect(r.updated).toBe(2);
    expect((await f.detail(heat.id)).slots).toEqual([
      expect.objectContaining({ assetType: 'poster', chosenBy: 'user', blobSha: 'a'.repeat(64) }),
    ]);
    expect((await f.detail(ronin.id)).slots).toEqual([
      expect.objectContaining({ assetType: 'poster', locked: true, blobSha: 'b'.repeat(64) }),
    ]);
    // The files are still recorded as the user's.
    expect((await f.detail(ronin.id)).libraryFiles).toEqual([
      expect.objectContaining({ origin: 'original', assetType: 'poster' }),
    ]);
  });

  it('respects locked fields when an NFO changes, and takes its new ids', async () => {
    const heat = await f.byFolder('Heat (1995)');
    await f.client.call('items-set-monitored', { ids: [heat.id], monitored: false });
    await db().insertInto('field_locks').values({ item_id: heat.id, field: 'title', locked_at: 1 }).execute();
    await db()
      .updateTable('item_fields')
      .set({ value: JSON.stringify('Heat (my title)') })
      .where('item_id', '=', heat.id)
      .where('field', '=', 'title')
      .execute();
    await db().updateTable('items').set({ title: 'Heat (my title)' }).where('id', '=', heat.id).execute();
    const nfo = path.join(f.root, 'Heat (1995)', 'Heat.1995.nfo');
    rmSync(nfo);
    writeFileSync(
      nfo,
      '<movie><title>HEAT</title><plot>LA crime saga.</plot><uniqueid type="tmdb">950</uniqueid></movie>',
    );
    const r = await f.scan();
    expect(r.updated).toBe(1);
    const after = await f.detail(heat.id);
    expect(after.title).toBe('Heat (my title)');
    expect(after.fields).toMatchObject({ title: 'Heat (my title)', plot: 'LA crime saga.' });
    expect(after.tmdbId).toBe(950);
    expect(after.monitored).toBe(false);
  });

  it('drops the slot of a deleted original and records replaced art', async () => {
    const heat = await f.byFolder('Heat (1995)');
    unlinkSync(path.join(f.root, 'Heat (1995)', 'poster.jpg'));
    let r = await f.scan();
    expect(r.updated).toBe(1);
    let d = await f.detail(heat.id);
    expect(d.slots).toEqual([]);
    expect(d.libraryFiles.map((x) => path.basename(x.path))).toEqual(['Heat.1995.nfo']);
    expect((await f.byFolder('Heat (1995)')).art.poster).toBe(false);

    const next = await jpeg(300, 450, 24);
    writeFileSync(path.join(f.root, 'Heat (1995)', 'poster.jpg'), next);
    r = await f.scan();
    d = await f.detail(heat.id);
    expect(d.slots).toEqual([
      expect.objectContaining({ assetType: 'poster', chosenBy: 'original', blobSha: sha(next) }),
    ]);
  });

  it('keeps a cached original slot when its file is deleted, so it can be put back', async () => {
    const heat = await f.byFolder('Heat (1995)');
    await db()
      .insertInto('blobs')
      .values({
        sha256: sha(poster),
        ext: 'jpg',
        mime: 'image/jpeg',
        width: 300,
        height: 450,
        bytes: poster.length,
        phash: null,
        created_at: 1,
        verified_at: null,
        unreferenced_since: null,
      })
      .execute();
    unlinkSync(path.join(f.root, 'Heat (1995)', 'poster.jpg'));
    await f.scan();
    expect((await f.detail(heat.id)).slots).toEqual([
      expect.objectContaining({ assetType: 'poster', blobSha: sha(poster), chosenBy: 'original' }),
    ]);
  });

  it('sees a picture rewritten in place, and a deep scan reads every folder again', async () => {
    const heat = await f.byFolder('Heat (1995)');
    const edited = await jpeg(300, 450, 25);
    // Rewriting a file in place leaves its folder's listing (and mtime) as it was; the file's
    // own size and time are part of the folder's signature.
    writeFileSync(path.join(f.root, 'Heat (1995)', 'poster.jpg'), edited);
    const plain = await f.scan();
    expect(plain.updated).toBe(1);
    expect(plain.unchangedFolders).toBe(plain.folders - 1);
    expect((await f.detail(heat.id)).slots[0]!.blobSha).toBe(sha(edited));
    const deep = await f.scan({ deep: true });
    expect(deep).toMatchObject({ updated: 0, unchangedFolders: 0 });
  });

  it('rescans one folder on request (watcher, webhook), new or gone', async () => {
    const lib = f.engine.services.library;
    makeTree(f.root, { 'Sets/Blackhat (2015)/Blackhat.mkv': { size: GB + 9 } });
    const added = await lib.scanFolder(path.join(f.root, 'Sets', 'Blackhat (2015)'));
    expect(added).toMatchObject({ added: 1, missing: 0 });
    const ronin = await f.byFolder('Ronin (1998)');
    rmSync(path.join(f.root, 'Ronin (1998)'), { recursive: true });
    const gone = await lib.scanFolder(path.join(f.root, 'Ronin (1998)'));
    expect(gone).toMatchObject({ added: 0, missing: 1 });
    expect((await f.detail(ronin.id)).state).toBe('missing');
    // Only that folder was looked at: the others stay as they were.
    expect((await f.client.call('items-list', { state: 'missing' })).total).toBe(1);
    await expect(lib.scanFolder('/definitely/not/a/library')).rejects.toMatchObject({ code: 'not_found' });
    // A file, an art folder or an extras folder stands for the movie folder holding it.
    makeTree(f.root, {
      'Heat (1995)/Extras/Making Of.mkv': { size: GB },
      'Heat (1995)/extrafanart/fanart1.jpg': poster,
    });
    expect(await lib.scanFolder(path.join(f.root, 'Heat (1995)', 'Extras'))).toMatchObject({ added: 0, updated: 1 });
    expect(await lib.scanFolder(path.join(f.root, 'Heat (1995)', 'Heat.1995.mkv'))).toMatchObject({
      added: 0,
      updated: 0,
      unchanged: 1,
    });
    expect(await f.items()).toHaveLength(5); // Heat, Collateral, Thief, Blackhat and the missing Ronin
  });

  it('adds TV libraries (the model is ready) but leaves them unscanned', async () => {
    const tvRoot = f.tempDir('tv');
    makeTree(tvRoot, { 'Show/Season 01/Show.S01E01.mkv': { size: GB } });
    const tv = await f.engine.services.library.addLibrary({ path: tvRoot, kind: 'tv' });
    expect(tv.kind).toBe('tv');
    const r = await f.client.call('scan', {});
    expect(r.errors).toEqual([{ path: tv.path, reason: 'TV libraries are not scanned yet', itemId: null }]);
    expect((await f.client.call('items-list', { libraryId: tv.id })).total).toBe(0);
  });

  it('serialises concurrent scans of one library', async () => {
    makeTree(f.root, { 'Manhunter (1986)/Manhunter.mkv': { size: GB + 5 } });
    const [a, b] = await Promise.all([f.scan(), f.scan()]);
    expect(a.added + b.added).toBe(1);
    expect(await f.items()).toHaveLength(5);
  });
});
