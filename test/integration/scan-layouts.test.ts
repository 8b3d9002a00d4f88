import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemDetail, ScanSummary } from '../../shared/api/library.ts';
import { jpeg, png, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const GB = 1_500_000_000;
const MATRIX = 'The.Matrix.1999.1080p.BluRay.x264-GRP';

const matrixNfo = `<?xml version="1.0" encoding="UTF-8"?>
<movie><title>The Matrix</title><sorttitle>Matrix</sorttitle><year>1999</year>
<uniqueid type="tmdb" default="true">603</uniqueid><uniqueid type="imdb">tt0133093</uniqueid>
<genre>Action</genre><genre>Science Fiction</genre></movie>`;

describe('scan: every layout and name form on real folders', () => {
  let f: ScanFixture;
  let summary: ScanSummary;
  const art: Record<string, Buffer> = {};

  beforeAll(async () => {
    art.poster = await jpeg(300, 450, 1);
    art.basePoster = await jpeg(300, 450, 2);
    art.fanart = await jpeg(480, 270, 3);
    art.fanart1 = await jpeg(480, 270, 4);
    art.extra = await jpeg(480, 270, 5);
    art.extraRandom = await jpeg(480, 270, 6);
    art.logo = await png(400, 155, 7);
    art.folderPoster = await jpeg(200, 300, 8);
    art.folderWide = await jpeg(400, 225, 9);
    art.actor = await jpeg(100, 150, 10);
    f = await scanFixture({
      // One movie, own folder, release-style file name, every kind of art and both NFO names.
      [`The Matrix (1999)/${MATRIX}.mkv`]: { size: GB },
      [`The Matrix (1999)/${MATRIX}.nfo`]: matrixNfo,
      'The Matrix (1999)/movie.nfo': '<movie><title>Not this one</title><uniqueid type="tmdb">1</uniqueid></movie>',
      'The Matrix (1999)/poster.jpg': art.poster,
      [`The Matrix (1999)/${MATRIX}-poster.jpg`]: art.basePoster,
      [`The Matrix (1999)/${MATRIX}-fanart.jpg`]: art.fanart,
      'The Matrix (1999)/fanart1.jpg': art.fanart1,
      'The Matrix (1999)/extrafanart/fanart2.jpg': art.extra,
      'The Matrix (1999)/extrafanart/zzz-random.jpg': art.extraRandom,
      'The Matrix (1999)/clearlogo.png': art.logo,
      'The Matrix (1999)/.actors/Keanu_Reeves.jpg': art.actor,
      'The Matrix (1999)/notes.txt': 'not art',
      // Things to skip, inside the movie folder.
      'The Matrix (1999)/Sample/sample.mkv': { size: 20_000_000 },
      [`The Matrix (1999)/${MATRIX}-trailer.mkv`]: { size: 40_000_000 },
      [`The Matrix (1999)/${MATRIX}-sample.mkv`]: { size: 40_000_000 },
      'The Matrix (1999)/Extras/Making Of.mkv': { size: 90_000_000 },
      'The Matrix (1999)/Featurettes/Bullet Time.mp4': { size: 90_000_000 },
      // URL-only NFO and a poster-shaped folder.jpg.
      'Amélie (2001)/Amelie.mkv': { size: GB + 1 },
      'Amélie (2001)/movie.nfo': 'https://www.themoviedb.org/movie/194-amelie\n',
      'Amélie (2001)/folder.jpg': art.folderPoster,
      // A landscape-shaped folder.jpg; a title ending in a year-like number.
      'Blade Runner 2049 (2017)/br2049.mkv': { size: GB + 2 },
      'Blade Runner 2049 (2017)/folder.jpg': art.folderWide,
      '1917 (2019)/1917.2019.2160p.mkv': { size: GB + 3 },
      // Loose movies in the root: basename art only; folder-form names belong to nobody.
      'Loose.Movie.2005.720p.mkv': { size: GB + 4 },
      'Loose.Movie.2005.720p-poster.jpg': art.poster,
      'Loose.Movie.2005.720p.nfo': '<movie><title>Loose Movie</title><id>tt0000123</id></movie>',
      'Another Loose (2010).avi': { size: GB + 5 },
      'poster.jpg': art.poster,
      // Several movies in one folder.
      'Unsorted/Alpha (2001).mkv': { size: GB + 6 },
      'Unsorted/Beta (2002).mkv': { size: GB + 7 },
      'Unsorted/Alpha (2001)-poster.jpg': art.poster,
      'Unsorted/poster.jpg': art.poster,
      // Disc structures.
      'DVD Movie (1995)/VIDEO_TS/VIDEO_TS.IFO': 'DVDVIDEO-VMG',
      'DVD Movie (1995)/VIDEO_TS/VTS_01_1.VOB': { size: GB },
      'DVD Movie (1995)/VIDEO_TS/VIDEO_TS.nfo':
        '<movie><title>DVD Movie</title><uniqueid type="tmdb">555</uniqueid></movie>',
      'DVD Movie (1995)/poster.jpg': art.poster,
      'Blu Movie (2010)/BDMV/index.bdmv': 'INDX0200',
      'Blu Movie (2010)/BDMV/STREAM/00000.m2ts': { size: GB },
      'Blu Movie (2010)/movie.nfo':
        '<movie><title>Blu Movie</title><year>2010</year><uniqueid type="imdb">tt0000555</uniqueid></movie>',
      // Stacked parts.
      'Stacked (1990)/Stacked (1990) cd1.avi': { size: 700_000_000 },
      'Stacked (1990)/Stacked (1990) cd2.avi': { size: 700_000_001 },
      'Stacked (1990)/Stacked (1990)-poster.jpg': art.poster,
      'Parts (1991)/Parts.1991.part1.mkv': { size: 700_000_002 },
      'Parts (1991)/Parts.1991.part2.mkv': { size: 700_000_003 },
      // A collection folder holding movie folders, with art of its own.
      'Alien Collection/poster.jpg': art.poster,
      'Alien Collection/Alien (1979)/Alien.mkv': { size: GB + 8 },
      'Alien Collection/Aliens (1986)/Aliens.mkv': { size: GB + 9 },
      // Skipped anywhere.
      'Trailers/Some Trailer.mkv': { size: 50_000_000 },
      '.hidden/Secret (2000).mkv': { size: GB },
      // Problems that are reported, while the scan goes on.
      'Broken NFO (2003)/Broken.mkv': { size: GB + 10 },
      'Broken NFO (2003)/movie.nfo': '<movie><title>Broken<uniqueid type="imdb">tt0000777</uniqueid>',
      'Fake Poster (2004)/Fake.mkv': { size: GB + 11 },
      'Fake Poster (2004)/poster.jpg': 'this is not a picture',
    });
    summary = await f.scan();
  });
  afterAll(async () => f?.cleanup());

  const detail = async (rel: string, basename?: string): Promise<ItemDetail> =>
    f.detail((await f.byFolder(rel, basename)).id);

  it('finds every movie once, and nothing else', async () => {
    const items = await f.items();
    expect(items.map((i) => [path.relative(f.root, i.folder), i.basename, i.layout]).sort()).toEqual(
      [
        ['', 'Another Loose (2010)', 'shared-folder'],
        ['', 'Loose.Movie.2005.720p', 'shared-folder'],
        ['1917 (2019)', '1917.2019.2160p', 'own-folder'],
        ['Alien Collection/Alien (1979)', 'Alien', 'own-folder'],
        ['Alien Collection/Aliens (1986)', 'Aliens', 'own-folder'],
        ['Amélie (2001)', 'Amelie', 'own-folder'],
        ['Blade Runner 2049 (2017)', 'br2049', 'own-folder'],
        ['Blu Movie (2010)', 'Blu Movie (2010)', 'disc'],
        ['Broken NFO (2003)', 'Broken', 'own-folder'],
        ['DVD Movie (1995)', 'DVD Movie (1995)', 'disc'],
        ['Fake Poster (2004)', 'Fake', 'own-folder'],
        ['Parts (1991)', 'Parts.1991', 'own-folder'],
        ['Stacked (1990)', 'Stacked (1990)', 'own-folder'],
        ['The Matrix (1999)', MATRIX, 'own-folder'],
        ['Unsorted', 'Alpha (2001)', 'shared-folder'],
        ['Unsorted', 'Beta (2002)', 'shared-folder'],
      ].sort(),
    );
    expect(summary.added).toBe(16);
    expect(items.every((i) => !/sample|trailer|Making Of|Bullet|Secret/i.test(i.basename))).toBe(true);
  });

  it.each<[string, string | undefined, string, number | null]>([
    ['The Matrix (1999)', undefined, 'The Matrix', 1999],
    ['Amélie (2001)', undefined, 'Amélie', 2001],
    ['Blade Runner 2049 (2017)', undefined, 'Blade Runner 2049', 2017],
    ['1917 (2019)', undefined, '1917', 2019],
    ['', 'Loose.Movie.2005.720p', 'Loose Movie', 2005],
    ['', 'Another Loose (2010)', 'Another Loose', 2010],
    ['Unsorted', 'Beta (2002)', 'Beta', 2002],
    ['DVD Movie (1995)', undefined, 'DVD Movie', 1995],
    ['Blu Movie (2010)', undefined, 'Blu Movie', 2010],
    ['Stacked (1990)', undefined, 'Stacked', 1990],
    ['Parts (1991)', undefined, 'Parts', 1991],
    ['Alien Collection/Aliens (1986)', undefined, 'Aliens', 1986],
  ])('titles %s %s as %j (%s)', async (rel, basename, title, year) => {
    const item = await f.byFolder(rel, basename);
    expect(item.title).toBe(title);
    expect(item.year).toBe(year);
  });

  it.each<[string, string | undefined, number | null, string | null, string]>([
    ['The Matrix (1999)', undefined, 603, 'tt0133093', 'identified'],
    ['Amélie (2001)', undefined, 194, null, 'identified'],
    ['', 'Loose.Movie.2005.720p', null, 'tt0000123', 'new'],
    ['DVD Movie (1995)', undefined, 555, null, 'identified'],
    ['Blu Movie (2010)', undefined, null, 'tt0000555', 'new'],
    ['1917 (2019)', undefined, null, null, 'new'],
  ])('ids of %s %s from its NFO', async (rel, basename, tmdbId, imdbId, state) => {
    const item = await f.byFolder(rel, basename);
    expect({ tmdbId: item.tmdbId, imdbId: item.imdbId, state: item.state }).toEqual({ tmdbId, imdbId, state });
  });

  it('reads NFO fields, basename NFO before movie.nfo', async () => {
    const m = await detail('The Matrix (1999)');
    expect(m.fields).toMatchObject({
      title: 'The Matrix',
      sortTitle: 'Matrix',
      year: 1999,
      genres: ['Action', 'Science Fiction'],
    });
    expect(m.sortTitle).toBe('Matrix');
    expect(m.videoPath).toBe(path.join(f.root, 'The Matrix (1999)', `${MATRIX}.mkv`));
    expect(m.videoSize).toBe(GB);
  });

  it('records every original picture with type, rank, size, dimensions and sha256, and makes slots of them', async () => {
    const m = await detail('The Matrix (1999)');
    const files = Object.fromEntries(m.libraryFiles.map((x) => [path.relative(m.folder, x.path), x]));
    expect(Object.keys(files).sort()).toEqual(
      [
        '.actors/Keanu_Reeves.jpg',
        `${MATRIX}-fanart.jpg`,
        `${MATRIX}-poster.jpg`,
        `${MATRIX}.nfo`,
        'clearlogo.png',
        'extrafanart/fanart2.jpg',
        'extrafanart/zzz-random.jpg',
        'fanart1.jpg',
        'movie.nfo',
        'poster.jpg',
      ].sort(),
    );
    expect(files['poster.jpg']).toMatchObject({
      role: 'art',
      assetType: 'poster',
      rank: 0,
      origin: 'original',
      width: 300,
      height: 450,
      sha256: sha(art.poster!),
      bytes: art.poster!.length,
    });
    expect(files['clearlogo.png']).toMatchObject({ assetType: 'clearlogo', rank: 0, width: 400, height: 155 });
    expect(files['fanart1.jpg']).toMatchObject({ assetType: 'fanart', rank: 1 });
    expect(files['extrafanart/fanart2.jpg']).toMatchObject({ assetType: 'fanart', rank: 2 });
    expect(files['extrafanart/zzz-random.jpg']).toMatchObject({ assetType: 'fanart', rank: 3 });
    expect(files['.actors/Keanu_Reeves.jpg']).toMatchObject({ role: 'actor', assetType: null });
    expect(files[`${MATRIX}.nfo`]).toMatchObject({ role: 'nfo', origin: 'original' });

    const slots = Object.fromEntries(m.slots.map((s) => [`${s.assetType}#${s.rank}`, s]));
    expect(Object.keys(slots).sort()).toEqual([
      'clearlogo#0',
      'fanart#0',
      'fanart#1',
      'fanart#2',
      'fanart#3',
      'poster#0',
    ]);
    // Both poster forms exist: the basename form wins, as in Kodi.
    expect(slots['poster#0']).toMatchObject({
      chosenBy: 'original',
      blobSha: sha(art.basePoster!),
      locked: false,
      candidateId: null,
    });
    expect(slots['poster#0']!.libraryFileId).toBe(files[`${MATRIX}-poster.jpg`]!.id);
    expect(slots['fanart#0']!.blobSha).toBe(sha(art.fanart!));

    const summaryRow = await f.byFolder('The Matrix (1999)');
    expect(summaryRow.posterSha).toBe(sha(art.basePoster!));
    expect(summaryRow.art).toMatchObject({ poster: true, fanart: true, clearlogo: true, discart: false });
  });

  it('reads folder.jpg by its shape, only as a fallback', async () => {
    const amelie = await detail('Amélie (2001)');
    expect(amelie.slots).toEqual([
      expect.objectContaining({ assetType: 'poster', rank: 0, chosenBy: 'original', blobSha: sha(art.folderPoster!) }),
    ]);
    const br = await detail('Blade Runner 2049 (2017)');
    expect(br.slots).toEqual([expect.objectContaining({ assetType: 'landscape', rank: 0 })]);
    expect(br.libraryFiles).toEqual([expect.objectContaining({ assetType: 'landscape', width: 400, height: 225 })]);
  });

  it('gives loose movies only their basename art', async () => {
    const loose = await detail('', 'Loose.Movie.2005.720p');
    expect(loose.libraryFiles.map((x) => path.basename(x.path)).sort()).toEqual([
      'Loose.Movie.2005.720p-poster.jpg',
      'Loose.Movie.2005.720p.nfo',
    ]);
    const other = await detail('', 'Another Loose (2010)');
    expect(other.libraryFiles).toEqual([]);
    const alpha = await detail('Unsorted', 'Alpha (2001)');
    expect(alpha.slots.map((s) => s.assetType)).toEqual(['poster']);
    expect((await detail('Unsorted', 'Beta (2002)')).slots).toEqual([]);
  });

  it('treats disc structures as one movie, art in the movie folder', async () => {
    const dvd = await detail('DVD Movie (1995)');
    expect(dvd.videoPath).toBe(path.join(f.root, 'DVD Movie (1995)', 'VIDEO_TS'));
    expect(dvd.libraryFiles.map((x) => path.relative(dvd.folder, x.path)).sort()).toEqual([
      'VIDEO_TS/VIDEO_TS.nfo',
      'poster.jpg',
    ]);
    expect(dvd.slots.map((s) => s.assetType)).toEqual(['poster']);
    const blu = await detail('Blu Movie (2010)');
    expect(blu.videoPath).toBe(path.join(f.root, 'Blu Movie (2010)', 'BDMV'));
  });

  it('stacks parts into one movie named without the part', async () => {
    const stacked = await detail('Stacked (1990)');
    expect(path.basename(stacked.videoPath!)).toBe('Stacked (1990) cd1.avi');
    expect(stacked.slots.map((s) => s.assetType)).toEqual(['poster']);
    const parts = await detail('Parts (1991)');
    expect(path.basename(parts.videoPath!)).toBe('Parts.1991.part1.mkv');
  });

  it('reports problems on the item and in the summary, and goes on', async () => {
    const broken = await f.byFolder('Broken NFO (2003)');
    expect(broken.error).toMatch(/movie\.nfo: The NFO is not well-formed XML/);
    expect(broken.imdbId).toBe('tt0000777');
    const fake = await detail('Fake Poster (2004)');
    expect(fake.error).toMatch(/poster\.jpg is not a readable image/);
    expect(fake.slots).toEqual([]);
    expect(fake.libraryFiles).toEqual([expect.objectContaining({ assetType: 'poster', width: null })]);
    expect(summary.errors.map((e) => e.itemId).sort()).toEqual([broken.id, fake.id].sort());
  });

  it('filters the item list', async () => {
    const list = (p: Parameters<typeof f.client.call<'items-list'>>[1]) => f.client.call('items-list', p);
    expect((await list({ missingArt: false })).items.map((i) => i.title)).toEqual(['The Matrix']);
    expect((await list({ missingType: 'landscape' })).total).toBe(15);
    expect((await list({ state: 'identified' })).total).toBe(3);
    expect((await list({ search: 'alien' })).items.map((i) => i.title)).toEqual(['Alien', 'Aliens']);
    expect((await list({ search: 'tt0133093' })).items.map((i) => i.title)).toEqual(['The Matrix']);
    expect((await list({ search: '603' })).items.map((i) => i.title)).toEqual(['The Matrix']);
    expect((await list({ search: '100%_' })).total).toBe(0);
    expect((await list({ hasErrors: true })).total).toBe(2);
    expect((await list({ sort: 'year', order: 'desc', limit: 2 })).items.map((i) => i.year)).toEqual([2019, 2017]);
    const page = await list({ limit: 5, offset: 5 });
    expect(page.total).toBe(16);
    expect(page.items).toHaveLength(5);
    expect((await list({ offset: 100 })).total).toBe(16);
  });
});

describe('scan: loose disc rips, lettered and folder stacks, art and extras folders', () => {
  let f: ScanFixture;
  let summary: ScanSummary;
  const art: Record<string, Buffer> = {};

  beforeAll(async () => {
    art.poster = await jpeg(300, 450, 41);
    art.fanart = await jpeg(480, 270, 42);
    f = await scanFixture({
      // A DVD's files straight in the movie folder, with its NFO beside them.
      'Casablanca (1942)/VIDEO_TS.IFO': 'DVDVIDEO-VMG',
      'Casablanca (1942)/VIDEO_TS.VOB': { size: 1_000_000 },
      'Casablanca (1942)/VTS_01_0.IFO': 'DVDVIDEO-VTS',
      'Casablanca (1942)/VTS_01_1.VOB': { size: GB },
      'Casablanca (1942)/VTS_01_2.VOB': { size: GB },
      'Casablanca (1942)/VIDEO_TS.nfo': '<movie><title>Casablanca</title><uniqueid type="tmdb">289</uniqueid></movie>',
      'Casablanca (1942)/poster.jpg': art.poster,
      'Lower Case (1950)/video_ts.ifo': 'DVDVIDEO-VMG',
      'Lower Case (1950)/vts_01_1.vob': { size: GB + 1 },
      // A Blu-ray's BDMV content straight in the movie folder.
      'Loose Blu (2011)/index.bdmv': 'INDX0200',
      'Loose Blu (2011)/MovieObject.bdmv': 'MOBJ0200',
      'Loose Blu (2011)/STREAM/00000.m2ts': { size: GB + 2 },
      'Loose Blu (2011)/PLAYLIST/00000.mpls': 'MPLS0200',
      'Loose Blu (2011)/fanart.jpg': art.fanart,
      // Kodi's lettered stacks.
      'Stack (2003)/Stack (2003)-a.avi': { size: 700_000_000 },
      'Stack (2003)/Stack (2003)-b.avi': { size: 700_000_001 },
      'Stack (2003)/Stack (2003)-poster.jpg': art.poster,
      'Dotted (2004)/Dotted.2004.a.mkv': { size: 700_000_002 },
      'Dotted (2004)/Dotted.2004.B.mkv': { size: 700_000_003 },
      'Dotted (2004)/Dotted.2004.c.mkv': { size: 700_000_004 },
      'Under (2005)/Under_a.avi': { size: 700_000_005 },
      'Under (2005)/Under_b.avi': { size: 700_000_006 },
      'Lettered Part (2006)/Movie partA.avi': { size: 700_000_007 },
      'Lettered Part (2006)/Movie partB.avi': { size: 700_000_008 },
      // Letters that are not a stack: alone, not from a, or on different titles.
      'Lone (2007)/Movie a.avi': { size: 700_000_009 },
      'Plans/Plan B.avi': { size: 700_000_010 },
      'Plans/Plan C.avi': { size: 700_000_011 },
      'Mixed/Alpha a.avi': { size: 700_000_012 },
      'Mixed/Beta b.avi': { size: 700_000_013 },
      // Folder stacks: one part in each CD1/CD2 folder, art in the movie folder.
      'Folder Stack (1999)/CD1/fs-one.avi': { size: 700_000_014 },
      'Folder Stack (1999)/CD2/fs-two.avi': { size: 700_000_015 },
      'Folder Stack (1999)/poster.jpg': art.poster,
      'Disks (1998)/Disk1/first.mkv': { size: 700_000_016 },
      'Disks (1998)/disk2/second.mkv': { size: 700_000_017 },
      // Folders of a movie that never hold movies.
      'Keep (2000)/Keep.mkv': { size: GB + 3 },
      'Keep (2000)/extrathumbs/thumb1.mkv': { size: 1_000_000 },
      'Keep (2000)/extrafanart/clip.mkv': { size: 1_000_000 },
      'Keep (2000)/Featurette/Making Of.mkv': { size: 90_000_000 },
    });
    summary = await f.scan();
  });
  afterAll(async () => f?.cleanup());

  const detail = async (rel: string, basename?: string): Promise<ItemDetail> =>
    f.detail((await f.byFolder(rel, basename)).id);
  const video = (rel: string) => path.join(f.root, ...rel.split('/'));

  it('finds each movie once, named as a user would', async () => {
    const items = await f.items();
    expect(items.map((i) => [path.relative(f.root, i.folder), i.basename, i.layout]).sort()).toEqual(
      [
        ['Casablanca (1942)', 'Casablanca (1942)', 'disc'],
        ['Lower Case (1950)', 'Lower Case (1950)', 'disc'],
        ['Loose Blu (2011)', 'Loose Blu (2011)', 'disc'],
        ['Stack (2003)', 'Stack (2003)', 'own-folder'],
        ['Dotted (2004)', 'Dotted.2004', 'own-folder'],
        ['Under (2005)', 'Under', 'own-folder'],
        ['Lettered Part (2006)', 'Movie', 'own-folder'],
        ['Lone (2007)', 'Movie a', 'own-folder'],
        ['Plans', 'Plan B', 'shared-folder'],
        ['Plans', 'Plan C', 'shared-folder'],
        ['Mixed', 'Alpha a', 'shared-folder'],
        ['Mixed', 'Beta b', 'shared-folder'],
        ['Folder Stack (1999)', 'Folder Stack (1999)', 'own-folder'],
        ['Disks (1998)', 'Disks (1998)', 'own-folder'],
        ['Keep (2000)', 'Keep', 'own-folder'],
      ].sort(),
    );
    expect(summary.added).toBe(15);
    expect(summary.errors).toEqual([]);
  });

  it('treats a DVD or Blu-ray laid straight into the folder as one disc movie, titled from the folder', async () => {
    const dvd = await detail('Casablanca (1942)');
    expect(dvd).toMatchObject({ title: 'Casablanca', year: 1942, tmdbId: 289, layout: 'disc' });
    expect(dvd.videoPath).toBe(video('Casablanca (1942)/VIDEO_TS.IFO'));
    expect(dvd.libraryFiles.map((x) => path.relative(dvd.folder, x.path)).sort()).toEqual([
      'VIDEO_TS.nfo',
      'poster.jpg',
    ]);
    expect(dvd.slots.map((s) => [s.assetType, s.blobSha])).toEqual([['poster', sha(art.poster!)]]);
    expect((await f.byFolder('Lower Case (1950)')).title).toBe('Lower Case');
    const blu = await detail('Loose Blu (2011)');
    expect(blu.videoPath).toBe(video('Loose Blu (2011)/index.bdmv'));
    expect(blu.slots.map((s) => s.assetType)).toEqual(['fanart']);
  });

  it('stacks lettered parts only when their letters run from a and nothing else differs', async () => {
    expect((await detail('Stack (2003)')).videoPath).toBe(video('Stack (2003)/Stack (2003)-a.avi'));
    expect((await detail('Stack (2003)')).slots.map((s) => s.assetType)).toEqual(['poster']);
    expect((await detail('Dotted (2004)')).videoPath).toBe(video('Dotted (2004)/Dotted.2004.a.mkv'));
    expect((await detail('Lettered Part (2006)')).videoPath).toBe(video('Lettered Part (2006)/Movie partA.avi'));
    expect((await f.byFolder('Stack (2003)')).title).toBe('Stack');
  });

  it('stacks CD1/CD2 folders into one movie named after the folder that holds them', async () => {
    const stack = await detail('Folder Stack (1999)');
    expect(stack).toMatchObject({ title: 'Folder Stack', year: 1999 });
    expect(stack.videoPath).toBe(video('Folder Stack (1999)/CD1/fs-one.avi'));
    expect(stack.slots.map((s) => s.assetType)).toEqual(['poster']);
    expect((await detail('Disks (1998)')).videoPath).toBe(video('Disks (1998)/Disk1/first.mkv'));
  });

  it('finds the same movies on a rescan, and on a deep one', async () => {
    expect(await f.scan()).toMatchObject({ added: 0, missing: 0, moved: 0 });
    expect(await f.scan({ deep: true })).toMatchObject({ added: 0, missing: 0, moved: 0 });
    expect(await f.items()).toHaveLength(15);
  });
});
