import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { makePublishFixture, pictureBytes, sha256, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture;
afterEach(async () => f?.cleanup());

const fields = {
  title: 'Alien',
  year: 1979,
  plot: 'The crew of the Nostromo answers a distress call.',
  genres: ['Horror', 'Science Fiction'],
  directors: ['Ridley Scott'],
  ratings: [{ source: 'tmdb', value: 8.1, votes: 14000, max: 10 }],
  cast: [{ name: 'Sigourney Weaver', role: 'Ripley', order: 0, profileUrl: null, tmdbId: 10205 }],
};

describe('publishing into real folders', () => {
  it('own folder, default style: basename names plus hardlinked folder twins, NFO parsed back, idempotent', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({
      folder: 'Alien (1979)',
      basename: 'Alien (1979)',
      tmdbId: 348,
      imdbId: 'tt0078748',
      fields,
    });
    const poster = await f.image(1);
    const fanart = await f.image(2, { width: 320, height: 180 });
    const fanart1 = await f.image(3, { width: 320, height: 180 });
    const logo = await f.image(4, { format: 'png', width: 200, height: 80 });
    await f.choose(m.id, 'poster', poster);
    await f.choose(m.id, 'fanart', fanart);
    await f.choose(m.id, 'fanart', fanart1, { rank: 1 });
    await f.choose(m.id, 'clearlogo', logo);

    const first = await f.client.call('publish', { itemIds: [m.id] });
    expect(first.errors).toEqual([]);
    expect(f.files(m.folder)).toEqual([
      'Alien (1979)-clearlogo.png',
      'Alien (1979)-fanart.jpg',
      'Alien (1979)-fanart1.jpg',
      'Alien (1979)-poster.jpg',
      'Alien (1979).nfo',
      'clearlogo.png',
      'fanart.jpg',
      'fanart1.jpg',
      'poster.jpg',
    ]);
    expect(first).toMatchObject({ written: 5, linked: 4, unchanged: 0, recycled: 0 });
    const at = (rel: string) => path.join(m.folder, rel);
    expect(f.sha(at('Alien (1979)-poster.jpg'))).toBe(poster.sha256);
    expect(f.sha(at('Alien (1979)-fanart1.jpg'))).toBe(fanart1.sha256);
    // The twin takes no extra space: same inode as the basename file.
    expect(statSync(at('poster.jpg')).ino).toBe(statSync(at('Alien (1979)-poster.jpg')).ino);

    const nfo = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(
      readFileSync(at('Alien (1979).nfo'), 'utf8'),
    ).movie;
    expect(nfo.title).toBe('Alien');
    expect(nfo.uniqueid).toEqual([
      { '#text': 348, '@type': 'tmdb', '@default': 'true' },
      { '#text': 'tt0078748', '@type': 'imdb' },
    ]);
    expect(nfo.thumb).toEqual([
      { '#text': 'Alien (1979)-clearlogo.png', '@aspect': 'clearlogo' },
      { '#text': 'Alien (1979)-poster.jpg', '@aspect': 'poster' },
    ]);
    expect(nfo.fanart.thumb).toEqual(['Alien (1979)-fanart.jpg', 'Alien (1979)-fanart1.jpg']);
    expect(nfo.director).toBe('Ridley Scott');

    const ledger = await f.s.db.selectFrom('library_files').selectAll().where('item_id', '=', m.id).execute();
    expect(ledger).toHaveLength(9);
    expect(ledger.every((r) => r.origin === 'published')).toBe(true);
    expect(ledger.find((r) => r.path === at('fanart1.jpg'))).toMatchObject({
      role: 'art',
      asset_type: 'fanart',
      rank: 1,
      sha256: fanart1.sha256,
    });
    expect(ledger.find((r) => r.path === at('Alien (1979).nfo'))).toMatchObject({ role: 'nfo', asset_type: null });

    const again = await f.client.call('publish', { itemIds: [m.id] });
    expect(again).toMatchObject({ written: 0, linked: 0, unchanged: 9, recycled: 0, bytes: 0, errors: [] });
  });

  it.each([
    ['basename', ['Heat (1995)-fanart.jpg', 'Heat (1995)-poster.jpg']],
    ['folder', ['fanart.jpg', 'poster.jpg']],
  ] as const)('library naming style %s', async (style, expected) => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: style }).execute();
    const m = await f.addMovie({ folder: 'Heat (1995)', basename: 'Heat (1995)' });
    await f.choose(m.id, 'poster', await f.image(5));
    await f.choose(m.id, 'fanart', await f.image(6));
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    expect(f.files(m.folder)).toEqual(expected);
  });

  it('a naming style change recycles the old names with a reason that says the image is still chosen', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Heat (1995)', basename: 'Heat (1995)' });
    await f.choose(m.id, 'poster', await f.image(15));
    await f.client.call('publish', { itemIds: [m.id] });
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ recycled: 1, errors: [] });
    expect(f.files(m.folder)).toEqual(['Heat (1995)-poster.jpg']);
    const bin = await f.client.call('recycle-list', {});
    expect(bin.map((e) => [path.basename(e.originalPath), e.reason])).toEqual([
      ['poster.jpg', expect.stringMatching(/^the chosen image under a name no longer used/)],
    ]);
  });

  it('loose files sharing one folder: basename names only, never a folder-form name', async () => {
    f = await makePublishFixture();
    const a = await f.addMovie({ folder: 'Movies', basename: 'Alien (1979)', layout: 'shared-folder' });
    const b = await f.addMovie({ folder: 'Movies', basename: 'Aliens (1986)', layout: 'own-folder' });
    await f.choose(a.id, 'poster', await f.image(7));
    await f.choose(b.id, 'poster', await f.image(8));
    await f.choose(b.id, 'fanart', await f.image(9));
    const r = await f.client.call('publish', { all: true });
    expect(r.errors).toEqual([]);
    expect(f.files(a.folder)).toEqual([
      'Alien (1979)-poster.jpg',
      'Aliens (1986)-fanart.jpg',
      'Aliens (1986)-poster.jpg',
    ]);
  });

  it('two movies with one basename in one folder: an error for each, nothing written', async () => {
    f = await makePublishFixture();
    const a = await f.addMovie({ folder: 'Movies', basename: 'Alien', layout: 'shared-folder' });
    const b = await f.addMovie({ folder: 'Movies', basename: 'alien', layout: 'shared-folder' });
    await f.choose(a.id, 'poster', await f.image(10));
    await f.choose(b.id, 'poster', await f.image(11));
    const r = await f.client.call('publish', { itemIds: [a.id, b.id] });
    expect(r.errors.map((e) => e.itemId).sort()).toEqual([a.id, b.id].sort());
    expect(r.errors[0]!.reason).toMatch(/same file name/);
    expect(f.files(a.folder)).toEqual([]);
  });

  it('disc structure: art and movie.nfo in the movie folder, in the folder form', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({
      folder: 'Blade Runner (1982)',
      basename: 'index',
      disc: true,
      tmdbId: 78,
      fields: { title: 'Blade Runner' },
    });
    await f.choose(m.id, 'poster', await f.image(12));
    await f.choose(m.id, 'discart', await f.image(13, { format: 'png', width: 200, height: 200 }));
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    expect(f.files(m.folder)).toEqual(['discart.png', 'movie.nfo', 'poster.jpg']);
  });

  it('hardlink mode shares the cache file; reflink falls back to a copy and says so', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Ran (1985)', basename: 'Ran (1985)' });
    const poster = await f.image(14);
    await f.choose(m.id, 'poster', poster);
    const linked = await f.client.call('publish', { itemIds: [m.id], mode: 'hardlink' });
    expect(linked.errors).toEqual([]);
    const cached = (await f.s.cache.pathOf(poster.sha256))!;
    expect(statSync(path.join(m.folder, 'Ran (1985)-poster.jpg')).ino).toBe(statSync(cached).ino);
    expect(linked.bytes).toBe(0);

    unlinkSync(path.join(m.folder, 'Ran (1985)-poster.jpg'));
    unlinkSync(path.join(m.folder, 'poster.jpg'));
    const reflinked = await f.client.call('publish', { itemIds: [m.id], mode: 'reflink' });
    expect(reflinked.errors).toEqual([]);
    expect(f.sha(path.join(m.folder, 'Ran (1985)-poster.jpg'))).toBe(poster.sha256);
    // ext4/tmpfs cannot clone; btrfs/xfs/APFS can. Either way the file is right.
    if (reflinked.bytes > 0) expect(reflinked.notes.join()).toMatch(/reflink not possible.*copied instead/);
  });

  it('extension follows the real format and a format change recycles the old name', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Up (2009)', basename: 'Up (2009)' });
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    await f.choose(m.id, 'poster', await f.image(15, { format: 'webp' }));
    await f.client.call('publish', { itemIds: [m.id] });
    expect(f.files(m.folder)).toEqual(['Up (2009)-poster.webp']);
    await f.choose(m.id, 'poster', await f.image(16, { format: 'png' }));
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r).toMatchObject({ written: 1, recycled: 1, errors: [] });
    expect(f.files(m.folder)).toEqual(['Up (2009)-poster.png']);
    const bin = await f.s.db.selectFrom('recycle').selectAll().execute();
    expect(bin).toHaveLength(1);
    expect(bin[0]).toMatchObject({
      original_path: path.join(m.folder, 'Up (2009)-poster.webp'),
      kind: 'library-file',
      item_id: m.id,
    });
  });
});

describe('what belongs to the user', () => {
  it('an original replaced by a new choice goes to the recycle bin and can be restored', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Brazil (1985)', basename: 'Brazil (1985)' });
    const mine = await pictureBytes(20, { format: 'png' });
    const original = await f.original(m.id, 'poster.png', mine, 'poster');
    await f.choose(m.id, 'poster', null, { chosenBy: 'original' });
    await f.s.db.updateTable('slots').set({ blob_sha: original.sha }).execute();
    // The slot still chooses the original: it stays, and is published under the Kodi name.
    const kept = await f.client.call('publish', { itemIds: [m.id] });
    expect(kept.errors).toEqual([]);
    expect(f.files(m.folder)).toEqual(['Brazil (1985)-poster.png', 'poster.png']);
    expect(f.sha(original.path)).toBe(original.sha);

    const chosen = await f.image(21);
    await f.choose(m.id, 'poster', chosen, { chosenBy: 'user' });
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    expect(f.files(m.folder)).toEqual(['Brazil (1985)-poster.jpg']);
    const bin = await f.s.db.selectFrom('recycle').selectAll().orderBy('id').execute();
    const entry = bin.find((b) => b.original_path === original.path)!;
    expect(entry).toMatchObject({ sha256: original.sha, item_id: m.id, kind: 'library-file' });
    expect(entry.reason).toMatch(/original artwork replaced/);

    await f.s.cache.recycle.restore(entry.id);
    expect(f.sha(original.path)).toBe(original.sha);
  });

  it('never overwrites an image it did not write; a foreign NFO is recycled before the first overwrite', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({
      folder: 'Solaris (1972)',
      basename: 'Solaris (1972)',
      tmdbId: 593,
      fields: { title: 'Solaris' },
    });
    const userPoster = await pictureBytes(30);
    writeFileSync(path.join(m.folder, 'Solaris (1972)-poster.jpg'), userPoster);
    writeFileSync(path.join(m.folder, 'Solaris (1972).nfo'), '<movie><title>My own</title></movie>');
    await f.choose(m.id, 'poster', await f.image(31));
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ itemId: m.id, path: path.join(m.folder, 'Solaris (1972)-poster.jpg') });
    expect(r.errors[0]!.reason).toMatch(/did not write; it was left alone/);
    expect(sha256(readFileSync(path.join(m.folder, 'Solaris (1972)-poster.jpg')))).toBe(sha256(userPoster));
    expect(readFileSync(path.join(m.folder, 'Solaris (1972).nfo'), 'utf8')).toContain('Written by Posterity');
    const bin = await f.s.db.selectFrom('recycle').selectAll().execute();
    expect(bin.map((b) => b.original_path)).toEqual([path.join(m.folder, 'Solaris (1972).nfo')]);
    expect(readFileSync(bin[0]!.stored_path, 'utf8')).toContain('My own');
    // A second publish does not recycle our own NFO again.
    const again = await f.client.call('publish', { itemIds: [m.id] });
    expect(again.recycled).toBe(0);
  });

  it('keeps a foreign NFO when overwriting foreign NFOs is off', async () => {
    f = await makePublishFixture();
    await f.client.call('config-set', { key: 'publish.overwriteForeignNfo', value: false });
    const m = await f.addMovie({
      folder: 'Stalker (1979)',
      basename: 'Stalker (1979)',
      tmdbId: 1398,
      fields: { title: 'Stalker' },
    });
    writeFileSync(path.join(m.folder, 'Stalker (1979).nfo'), '<movie><title>Mine</title></movie>');
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]!.reason).toMatch(/overwriteForeignNfo is off/);
    expect(readFileSync(path.join(m.folder, 'Stalker (1979).nfo'), 'utf8')).toContain('Mine');
  });

  it('cleans unknown images into the recycle bin only when asked', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Paris, Texas (1984)', basename: 'Paris, Texas (1984)' });
    writeFileSync(path.join(m.folder, 'cover-scan.jpg'), await pictureBytes(40));
    await f.choose(m.id, 'poster', await f.image(41));
    await f.client.call('publish', { itemIds: [m.id] });
    expect(existsSync(path.join(m.folder, 'cover-scan.jpg'))).toBe(true);
    await f.client.call('config-set', { key: 'publish.cleanupUnknownImages', value: true });
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.recycled).toBe(1);
    expect(existsSync(path.join(m.folder, 'cover-scan.jpg'))).toBe(false);
  });

  it('locked slots: automated publishing restores a missing file but never replaces what differs', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Ikiru (1952)', basename: 'Ikiru (1952)' });
    const first = await f.image(50);
    await f.choose(m.id, 'poster', first, { chosenBy: 'user', locked: true });
    await f.client.call('publish', { itemIds: [m.id] });
    const file = path.join(m.folder, 'Ikiru (1952)-poster.jpg');

    // A different choice lands in the locked slot (the user picked it) but only automation runs.
    const second = await f.image(51);
    await f.choose(m.id, 'poster', second, { chosenBy: 'user', locked: true });
    const auto = await f.s.publish.publishItem(m.id, { automated: true });
    expect(auto.skipped).toBe(1);
    expect(f.sha(file)).toBe(first.sha256);

    unlinkSync(file);
    const restored = await f.s.publish.publishItem(m.id, { automated: true });
    expect(restored.written).toBe(1);
    expect(f.sha(file)).toBe(second.sha256);

    const userEdit = await pictureBytes(52);
    writeFileSync(file, userEdit);
    await f.s.publish.publishItem(m.id, { automated: true });
    expect(sha256(readFileSync(file))).toBe(sha256(userEdit));

    // A person publishing gets exactly the slot, the edited file going to the recycle bin.
    const manual = await f.client.call('publish', { itemIds: [m.id] });
    expect(manual).toMatchObject({ written: 1, recycled: 1 });
    expect(f.sha(file)).toBe(second.sha256);
  });

  it('a blob missing from the cache: a clear error and the existing file left alone', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Vertigo (1958)', basename: 'Vertigo (1958)' });
    const first = await f.image(60);
    await f.choose(m.id, 'poster', first);
    await f.client.call('publish', { itemIds: [m.id] });
    const lost = await f.image(61, { format: 'png' });
    await f.choose(m.id, 'poster', lost);
    unlinkSync((await f.s.cache.pathOf(lost.sha256))!);
    // The file it was imported from is gone too, so nothing can bring the image back.
    unlinkSync((await f.client.call('cache-blob', { sha256: lost.sha256 })).sources[0]!.source);
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toMatch(/cannot be published: its file is missing from the cache; no good copy/);
    // The old poster stays (its replacement could not be written), nothing half-written.
    expect(f.files(m.folder)).toEqual(['Vertigo (1958)-poster.jpg']);
    expect(f.sha(path.join(m.folder, 'Vertigo (1958)-poster.jpg'))).toBe(first.sha256);
  });
});
