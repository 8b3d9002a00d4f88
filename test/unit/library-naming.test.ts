import { describe, expect, it } from 'vitest';
import { ASSET_TYPES, ASSET_TYPE_SPECS } from '../../shared/asset-types.ts';
import {
  ART_NAMING,
  actorFileName,
  actorNameFromFile,
  artFileNames,
  classifyFolderImage,
  defaultArtExt,
  effectiveStyle,
  nfoFileNames,
  nfoReadOrder,
  recognizeArtFile,
  recognizeMovieFile,
  type MovieLayout,
} from '../../shared/naming.ts';
import type { NamingStyle } from '../../shared/settings.ts';

const B = 'The Matrix (1999)';

describe('naming table: writers', () => {
  it.each<[string, Parameters<typeof artFileNames>, string[]]>([
    ['both in an own folder', ['poster', 0, B, 'both', 'own-folder', 'jpg'], [`${B}-poster.jpg`, 'poster.jpg']],
    ['basename only', ['poster', 0, B, 'basename', 'own-folder', 'jpg'], [`${B}-poster.jpg`]],
    ['folder only', ['fanart', 0, B, 'folder', 'own-folder', 'jpg'], ['fanart.jpg']],
    [
      'several movies in one folder force the basename form',
      ['poster', 0, B, 'both', 'shared-folder', 'jpg'],
      [`${B}-poster.jpg`],
    ],
    [
      'even when the folder form was asked for',
      ['poster', 0, B, 'folder', 'shared-folder', 'jpg'],
      [`${B}-poster.jpg`],
    ],
    [
      'disc structures use the folder form in the movie folder',
      ['poster', 0, 'VIDEO_TS', 'both', 'disc', 'jpg'],
      ['poster.jpg'],
    ],
    ['extra fanart is numbered', ['fanart', 1, B, 'both', 'own-folder', 'jpg'], [`${B}-fanart1.jpg`, 'fanart1.jpg']],
    ['the extension follows the real format', ['poster', 0, B, 'basename', 'own-folder', 'png'], [`${B}-poster.png`]],
    ['transparent types default to png', ['clearlogo', 0, B, 'folder', 'own-folder'], ['clearlogo.png']],
  ])('%s', (_name, args, expected) => {
    expect(artFileNames(...args)).toEqual(expected);
  });

  it('adds extrafanart/ copies of extra fanart when asked, never for rank 0 or shared folders', () => {
    expect(artFileNames('fanart', 2, B, 'both', 'own-folder', 'jpg', { extrafanartFolder: true })).toEqual([
      `${B}-fanart2.jpg`,
      'fanart2.jpg',
      'extrafanart/fanart2.jpg',
    ]);
    expect(artFileNames('fanart', 0, B, 'folder', 'own-folder', 'jpg', { extrafanartFolder: true })).toEqual([
      'fanart.jpg',
    ]);
    expect(artFileNames('fanart', 2, B, 'both', 'shared-folder', 'jpg', { extrafanartFolder: true })).toEqual([
      `${B}-fanart2.jpg`,
    ]);
  });

  it.each<[NamingStyle, MovieLayout, NamingStyle]>([
    ['both', 'own-folder', 'both'],
    ['folder', 'shared-folder', 'basename'],
    ['basename', 'disc', 'folder'],
  ])('style %s in a %s layout applies as %s', (style, layout, applied) => {
    expect(effectiveStyle(style, layout)).toBe(applied);
  });

  it('writes NFO names per layout', () => {
    expect(nfoFileNames(B, 'own-folder')).toEqual([`${B}.nfo`]);
    expect(nfoFileNames(B, 'own-folder', { movieNfo: true })).toEqual([`${B}.nfo`, 'movie.nfo']);
    expect(nfoFileNames(B, 'shared-folder', { movieNfo: true })).toEqual([`${B}.nfo`]);
    expect(nfoFileNames('x', 'disc')).toEqual(['movie.nfo']);
  });

  it('reads NFOs basename first, then movie.nfo, then the disc names', () => {
    expect(nfoReadOrder(B, 'own-folder')).toEqual([`${B}.nfo`, 'movie.nfo']);
    expect(nfoReadOrder(B, 'shared-folder')).toEqual([`${B}.nfo`]);
    expect(nfoReadOrder(B, 'disc')).toEqual([
      'movie.nfo',
      'VIDEO_TS/VIDEO_TS.nfo',
      'BDMV/index.nfo',
      'VIDEO_TS.nfo',
      'index.nfo',
    ]);
  });

  it.each([
    ['Keanu Reeves', '.actors/Keanu_Reeves.jpg'],
    ['Zoë  Kravitz', '.actors/Zoë_Kravitz.jpg'],
    ['Who? Me: "Yes"', '.actors/Who_Me_Yes.jpg'],
    ['...', '.actors/_.jpg'],
  ])('actor %j → %s', (name, file) => {
    expect(actorFileName(name)).toBe(file);
  });

  it('gives every type a Kodi name and an extension by transparency', () => {
    for (const t of ASSET_TYPES) {
      expect(ART_NAMING[t].name).toMatch(/^[a-z]+$/);
      expect(defaultArtExt(t)).toBe(ASSET_TYPE_SPECS[t].transparent ? 'png' : 'jpg');
    }
  });
});

describe('naming table: recognisers', () => {
  it.each<[string, MovieLayout, ReturnType<typeof recognizeArtFile>]>([
    [`${B}-poster.jpg`, 'own-folder', { type: 'poster', rank: 0, form: 'basename', alias: false }],
    [`${B.toUpperCase()}-POSTER.JPEG`, 'own-folder', { type: 'poster', rank: 0, form: 'basename', alias: false }],
    ['poster.jpg', 'own-folder', { type: 'poster', rank: 0, form: 'folder', alias: false }],
    ['poster.jpg', 'shared-folder', null],
    [`${B}-poster.jpg`, 'shared-folder', { type: 'poster', rank: 0, form: 'basename', alias: false }],
    ['fanart3.jpg', 'own-folder', { type: 'fanart', rank: 3, form: 'folder', alias: false }],
    [`${B}-fanart12.png`, 'own-folder', { type: 'fanart', rank: 12, form: 'basename', alias: false }],
    ['fanart0.jpg', 'own-folder', null],
    ['backdrop.jpg', 'own-folder', { type: 'fanart', rank: 0, form: 'folder', alias: true }],
    ['logo.png', 'own-folder', { type: 'clearlogo', rank: 0, form: 'folder', alias: true }],
    ['disc.png', 'disc', { type: 'discart', rank: 0, form: 'folder', alias: true }],
    ['discart.png', 'own-folder', { type: 'discart', rank: 0, form: 'folder', alias: false }],
    ['thumb.jpg', 'own-folder', { type: 'landscape', rank: 0, form: 'folder', alias: true }],
    ['keyart.webp', 'own-folder', { type: 'keyart', rank: 0, form: 'folder', alias: false }],
    ['folder.jpg', 'own-folder', { type: 'poster', rank: 0, form: 'fallback', alias: false }],
    ['folder.jpg', 'shared-folder', null],
    ['movie.tbn', 'own-folder', { type: 'poster', rank: 0, form: 'legacy', alias: false }],
    [`${B}.tbn`, 'shared-folder', { type: 'poster', rank: 0, form: 'legacy', alias: false }],
    ['extrafanart/fanart4.jpg', 'own-folder', { type: 'fanart', rank: 4, form: 'extrafanart', alias: false }],
    [
      'extrafanart/some-random-name.jpg',
      'own-folder',
      { type: 'fanart', rank: null, form: 'extrafanart', alias: false },
    ],
    ['extrafanart/fanart4.jpg', 'shared-folder', null],
    ['extrathumbs/thumb1.jpg', 'own-folder', null],
    ['poster.gif', 'own-folder', null],
    ['cover.jpg', 'own-folder', { type: 'poster', rank: 0, form: 'legacy', alias: false }],
    ['cover.jpg', 'shared-folder', null],
    ['movie.png', 'disc', { type: 'poster', rank: 0, form: 'legacy', alias: false }],
    [`${B}.jpg`, 'shared-folder', { type: 'poster', rank: 0, form: 'legacy', alias: false }],
    [`${B}.gif`, 'own-folder', null],
    ['cover.tbn', 'own-folder', { type: 'poster', rank: 0, form: 'legacy', alias: false }],
    [`${B}-trailer.jpg`, 'own-folder', null],
    [`Other Movie-poster.jpg`, 'shared-folder', null],
    [`${B}-clearart.png`, 'own-folder', { type: 'clearart', rank: 0, form: 'basename', alias: false }],
    [`${B}-clearlogo1.png`, 'own-folder', { type: 'clearlogo', rank: 1, form: 'basename', alias: false }],
  ])('%s in a %s layout', (file, layout, expected) => {
    expect(recognizeArtFile(file, B, layout)).toEqual(expected);
  });

  it('recognises every name the writers produce, in every style and layout', () => {
    for (const type of ASSET_TYPES) {
      for (const rank of [0, 1, 2]) {
        if (rank >= ASSET_TYPE_SPECS[type].maxCount) continue;
        for (const style of ['both', 'basename', 'folder'] as const) {
          for (const layout of ['own-folder', 'shared-folder', 'disc'] as const) {
            for (const name of artFileNames(type, rank, B, style, layout, defaultArtExt(type), {
              extrafanartFolder: true,
            })) {
              expect(recognizeArtFile(name, B, layout), `${name} (${style}, ${layout})`).toMatchObject({ type, rank });
            }
          }
        }
      }
    }
  });

  it('recognises NFOs and actor pictures', () => {
    expect(recognizeMovieFile(`${B}.nfo`, B, 'own-folder')).toEqual({ role: 'nfo', priority: 0 });
    expect(recognizeMovieFile('MOVIE.NFO', B, 'own-folder')).toEqual({ role: 'nfo', priority: 1 });
    expect(recognizeMovieFile('movie.nfo', B, 'shared-folder')).toBeNull();
    expect(recognizeMovieFile('VIDEO_TS/VIDEO_TS.nfo', 'x', 'disc')).toEqual({ role: 'nfo', priority: 1 });
    expect(recognizeMovieFile('.actors/Carrie-Anne_Moss.jpg', B, 'own-folder')).toEqual({
      role: 'actor',
      actorName: 'Carrie-Anne Moss',
    });
    expect(recognizeMovieFile('.actors/notes.txt', B, 'own-folder')).toBeNull();
    expect(actorNameFromFile(actorFileName('Laurence Fishburne'))).toBe('Laurence Fishburne');
  });

  it('matches names written in another Unicode normal form (macOS shares)', () => {
    const nfd = 'Ame\u0301lie (2001)';
    expect(recognizeArtFile(`${nfd}-poster.jpg`, 'Am\u00e9lie (2001)', 'own-folder')).toMatchObject({
      type: 'poster',
      form: 'basename',
    });
  });

  it.each([
    [1000, 1500, 'poster'],
    [1000, 185, 'banner'],
    [1920, 1080, 'landscape'],
    [1000, 1000, 'landscape'],
  ] as const)('folder.jpg of %i×%i reads as %s', (w, h, type) => {
    expect(classifyFolderImage(w, h)).toBe(type);
  });
});
