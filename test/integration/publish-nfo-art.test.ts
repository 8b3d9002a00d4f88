import { mkdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { makePublishFixture, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture;
afterEach(async () => f?.cleanup());

/**
 * Kodi shows a broken picture for an NFO entry whose file is not there, so the NFO names only the
 * art that is really in place: written now, or already there and kept.
 */
describe('the NFO names only art that is in place', () => {
  const fields = { title: 'Alien', year: 1979 };
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
  /** `aspect → file` of the NFO's `<thumb>` entries, and its fanart files. */
  const nfoArt = (file: string) => {
    const movie = parser.parse(readFileSync(file, 'utf8')).movie;
    const thumbs = [movie.thumb ?? []].flat() as { '#text': string; '@aspect': string }[];
    return {
      thumbs: Object.fromEntries(thumbs.map((t) => [t['@aspect'], t['#text']])),
      fanart: [movie.fanart?.thumb ?? []].flat() as string[],
    };
  };

  it('a folder in the way of one picture: the NFO leaves it out, and names it again once the way is clear', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Alien (1979)', basename: 'Alien (1979)', tmdbId: 348, fields });
    await f.choose(m.id, 'poster', await f.image(201));
    await f.choose(m.id, 'fanart', await f.image(202, { width: 320, height: 180 }));
    await f.choose(m.id, 'clearlogo', await f.image(203, { format: 'png', width: 200, height: 80 }));
    // A folder occupies the logo's name: no permission can get past that, not even root's.
    const blocked = path.join(m.folder, 'Alien (1979)-clearlogo.png');
    mkdirSync(blocked);
    const nfo = path.join(m.folder, 'Alien (1979).nfo');

    const dry = await f.client.call('publish', { itemIds: [m.id], dryRun: true });
    expect(dry.plan!.filter((p) => p.action === 'error').map((p) => p.path)).toEqual([blocked]);

    const first = await f.client.call('publish', { itemIds: [m.id] });
    expect(first.errors.map((e) => [e.path, e.reason])).toEqual([
      [blocked, expect.stringMatching(/A folder is in the way/)],
    ]);
    expect(nfoArt(nfo)).toEqual({ thumbs: { poster: 'Alien (1979)-poster.jpg' }, fanart: ['Alien (1979)-fanart.jpg'] });
    // While the folder stays, publishing again leaves the NFO as it is (the plan already knows).
    const blockedAgain = await f.client.call('publish', { itemIds: [m.id] });
    expect(blockedAgain).toMatchObject({ written: 0, unchanged: 3 });

    rmSync(blocked, { recursive: true });
    const second = await f.client.call('publish', { itemIds: [m.id] });
    expect(second.errors).toEqual([]);
    expect(f.files(m.folder)).toContain('Alien (1979)-clearlogo.png');
    expect(nfoArt(nfo).thumbs).toEqual({
      clearlogo: 'Alien (1979)-clearlogo.png',
      poster: 'Alien (1979)-poster.jpg',
    });
    const third = await f.client.call('publish', { itemIds: [m.id] });
    expect(third).toMatchObject({ written: 0, unchanged: 4, errors: [] });
  });

  it('a name the filesystem refuses: the write fails, the NFO written after it leaves it out', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    // 243 bytes: the video (+ ".mkv"), the NFO and the poster fit in 255, "-clearlogo.png" does not.
    const basename = `Alien ${'x'.repeat(237)}`;
    const m = await f.addMovie({ folder: 'Alien', basename, tmdbId: 348, fields });
    await f.choose(m.id, 'poster', await f.image(204));
    await f.choose(m.id, 'clearlogo', await f.image(205, { format: 'png', width: 200, height: 80 }));

    // Nothing is in the way when the plan is made: the failure only shows when writing.
    const dry = await f.client.call('publish', { itemIds: [m.id], dryRun: true });
    expect(dry.plan!.filter((p) => p.action === 'error')).toEqual([]);
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/^Could not write .*-clearlogo\.png: the name is too long/),
    ]);
    expect(f.files(m.folder)).toEqual([`${basename}-poster.jpg`, `${basename}.nfo`]);
    expect(nfoArt(path.join(m.folder, `${basename}.nfo`)).thumbs).toEqual({ poster: `${basename}-poster.jpg` });
  });

  it('with both naming forms, a failed primary leaves the NFO naming its folder-form twin that was written', async () => {
    f = await makePublishFixture();
    const basename = `Alien ${'x'.repeat(237)}`;
    const m = await f.addMovie({ folder: 'Alien', basename, tmdbId: 348, fields });
    await f.choose(m.id, 'clearlogo', await f.image(206, { format: 'png', width: 200, height: 80 }));
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toHaveLength(1);
    expect(f.files(m.folder)).toEqual([`${basename}.nfo`, 'clearlogo.png']);
    expect(nfoArt(path.join(m.folder, `${basename}.nfo`)).thumbs).toEqual({ clearlogo: 'clearlogo.png' });
  });

  it('a kept NFO is rewritten when a picture it names cannot be put back', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Alien (1979)', basename: 'Alien (1979)', tmdbId: 348, fields });
    await f.choose(m.id, 'poster', await f.image(207));
    const logo = await f.image(208, { format: 'png', width: 200, height: 80 });
    await f.choose(m.id, 'clearlogo', logo);
    expect((await f.client.call('publish', { itemIds: [m.id] })).errors).toEqual([]);
    const nfo = path.join(m.folder, 'Alien (1979).nfo');
    expect(Object.keys(nfoArt(nfo).thumbs)).toEqual(['clearlogo', 'poster']);

    // Radarr removes the logo, and the cache has lost it too (its file and where it came from).
    unlinkSync(path.join(m.folder, 'Alien (1979)-clearlogo.png'));
    unlinkSync((await f.s.cache.pathOf(logo.sha256))!);
    unlinkSync((await f.client.call('cache-blob', { sha256: logo.sha256 })).sources[0]!.source);
    const dry = await f.client.call('publish', { itemIds: [m.id], dryRun: true });
    expect(dry.plan!.find((p) => p.path === nfo)).toMatchObject({ action: 'keep' });

    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors.map((e) => e.reason)).toEqual([expect.stringMatching(/clearlogo image .* cannot be published/)]);
    expect(nfoArt(nfo).thumbs).toEqual({ poster: 'Alien (1979)-poster.jpg' });
    // The ledger knows the NFO as it is now, so the next look finds nothing changed behind its back.
    const row = await f.s.db.selectFrom('library_files').selectAll().where('path', '=', nfo).executeTakeFirstOrThrow();
    expect(row.sha256).toBe(f.sha(nfo));
  });
});
