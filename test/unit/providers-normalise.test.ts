import { describe, expect, it } from 'vitest';
import { FANART_MOVIE_KEYS } from '../../main/core/providers/asset-map.ts';
import { fanartCandidates, parseFanartMovie } from '../../main/core/providers/fanart.ts';
import { normalizeLanguage, normalizeRegion } from '../../main/core/providers/language.ts';
import { parseLeniently } from '../../main/core/providers/parse.ts';
import { pickSize, tmdbCandidates } from '../../main/core/providers/tmdb-images.ts';
import {
  tmdbConfigurationSchema,
  tmdbImagesSchema,
  type TmdbImageConfig,
} from '../../main/core/providers/tmdb-schemas.ts';

describe('language sentinels', () => {
  it.each([
    [null, null],
    [undefined, null],
    ['', null],
    ['xx', null],
    ['XX', null],
    ['00', null],
    ['en', 'en'],
    ['FR', 'fr'],
    ['pt-BR', 'pt'],
    [' de ', 'de'],
    ['english', null],
    [7, null],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeLanguage(raw)).toBe(expected);
  });

  it.each([
    ['US', 'US'],
    ['us', 'US'],
    ['XX', null],
    ['', null],
    [undefined, null],
  ])('region %j → %j', (raw, expected) => {
    expect(normalizeRegion(raw)).toBe(expected);
  });
});

// Answers written for these tests in the documented shapes.
const CONFIGURATION = {
  images: {
    base_url: 'http://img.example/t/p/',
    secure_base_url: 'https://img.example/t/p/',
    backdrop_sizes: ['w300', 'w780', 'w1280', 'original'],
    logo_sizes: ['w45', 'w92', 'w154', 'w185', 'w300', 'w500', 'original'],
    poster_sizes: ['w92', 'w154', 'w185', 'w342', 'w500', 'w780', 'original'],
    profile_sizes: ['w45', 'w185', 'h632', 'original'],
    still_sizes: ['w92', 'w185', 'w300', 'original'],
  },
  change_keys: ['adult'],
};

const IMAGES = {
  id: 1001,
  backdrops: [
    {
      aspect_ratio: 1.778,
      height: 1080,
      width: 1920,
      iso_639_1: null,
      file_path: '/back1.jpg',
      vote_average: 5.3,
      vote_count: 4,
    },
  ],
  logos: [
    {
      aspect_ratio: 3.2,
      height: 250,
      width: 800,
      iso_639_1: 'en',
      iso_3166_1: 'US',
      file_path: '/logo1.png',
      file_type: '.png',
      vote_average: 0,
      vote_count: 0,
    },
    {
      aspect_ratio: 1.7,
      height: 18839,
      width: 32000,
      iso_639_1: 'xx',
      iso_3166_1: 'XX',
      file_path: '/giant.png',
      file_type: '.png',
      vote_average: 0,
      vote_count: 0,
    },
    {
      aspect_ratio: 2.5,
      height: 400,
      width: 1000,
      iso_639_1: 'en',
      file_path: '/vector.svg',
      file_type: '.svg',
      vote_average: 5,
      vote_count: 1,
    },
  ],
  posters: [
    {
      aspect_ratio: 0.667,
      height: 3000,
      width: 2000,
      iso_639_1: 'xx',
      iso_3166_1: 'XX',
      file_path: '/post1.jpg',
      vote_average: 5.5,
      vote_count: 46,
    },
    {
      aspect_ratio: 0.667,
      height: '1500',
      width: '1000',
      iso_639_1: 'de',
      file_path: '/post2.jpg',
      vote_average: '6.1',
      vote_count: 3,
    },
  ],
};

const config = (): TmdbImageConfig => {
  const parsed = parseLeniently(tmdbConfigurationSchema, CONFIGURATION);
  return parsed.value!.images;
};

describe('TMDB images as candidates', () => {
  const parsed = parseLeniently(tmdbImagesSchema, IMAGES);
  const candidates = tmdbCandidates(parsed.value!, config());
  const byId = Object.fromEntries(candidates.map((c) => [c.providerImageId, c]));

  it('maps every kind onto our types, image host from configuration', () => {
    expect(parsed.problems).toEqual([]);
    expect(candidates.map((c) => [c.providerImageId, c.assetType])).toEqual([
      ['post1.jpg', 'poster'],
      ['post2.jpg', 'poster'],
      ['back1.jpg', 'fanart'],
      ['logo1.png', 'clearlogo'],
      ['giant.png', 'clearlogo'],
      ['vector.svg', 'clearlogo'],
    ]);
    for (const c of candidates) expect(c.url.startsWith('https://img.example/t/p/')).toBe(true);
  });

  it('uses original for full images and w342 / w300 previews', () => {
    expect(byId['post1.jpg']).toMatchObject({
      url: 'https://img.example/t/p/original/post1.jpg',
      previewUrl: 'https://img.example/t/p/w342/post1.jpg',
    });
    expect(byId['back1.jpg']).toMatchObject({
      url: 'https://img.example/t/p/original/back1.jpg',
      previewUrl: 'https://img.example/t/p/w300/back1.jpg',
    });
    expect(byId['logo1.png']).toMatchObject({
      url: 'https://img.example/t/p/original/logo1.png',
      previewUrl: 'https://img.example/t/p/w300/logo1.png',
    });
  });

  it('fetches giant logos at the largest resized width and SVG logos as PNG, with the size that arrives', () => {
    expect(byId['giant.png']).toMatchObject({ url: 'https://img.example/t/p/w500/giant.png', width: 500, height: 294 });
    expect(byId['vector.svg']).toMatchObject({
      url: 'https://img.example/t/p/w500/vector.png',
      previewUrl: 'https://img.example/t/p/w300/vector.png',
      width: 500,
      height: 200,
    });
  });

  it('reads languages, regions, votes and numeric strings', () => {
    expect(byId['post1.jpg']).toMatchObject({
      language: null,
      voteAverage: 5.5,
      voteCount: 46,
      width: 2000,
      height: 3000,
      extra: { region: null },
    });
    expect(byId['post2.jpg']).toMatchObject({ language: 'de', voteAverage: 6.1, width: 1000, height: 1500 });
    expect(byId['logo1.png']).toMatchObject({ language: 'en', extra: { region: 'US' } });
    expect(byId['back1.jpg']?.language).toBeNull();
  });

  it('drops a malformed entry or list and says the answer was not whole', () => {
    const bad = parseLeniently(tmdbImagesSchema, {
      ...IMAGES,
      logos: { 0: IMAGES.logos[0] },
      posters: [IMAGES.posters[0], { file_path: 42 }],
    });
    expect(bad.value!.logos).toBeNull();
    expect(bad.value!.posters).toHaveLength(1);
    expect(bad.problems.length).toBe(2);
  });

  it.each([
    [['w92', 'w342', 'original'], 'w342', 'w342'],
    [['w92', 'w500', 'original'], 'w342', 'w500'],
    [['w92', 'original'], 'w342', 'original'],
    [['original'], 'w300', 'original'],
  ])('size from %j for %s → %s', (available, wanted, expected) => {
    expect(pickSize(available, wanted)).toBe(expected);
  });
});

describe('Fanart.tv answers as candidates', () => {
  const img = (id: string, type: string, extra: Record<string, string> = {}) => ({
    id,
    url: `https://assets.example/fanart/movies/1001/${type}/x-${id}.png`,
    lang: 'en',
    likes: '3',
    added: '2020-01-02 03:04:05',
    ...extra,
  });
  const candidatesOf = (body: unknown) => {
    const parsed = parseFanartMovie(body);
    return { parsed, candidates: fanartCandidates(parsed.value!) };
  };

  it('maps every movie key onto one of our types, HD before SD, with standard sizes; unknown keys ignored', () => {
    const body: Record<string, unknown> = { name: 'Fake', tmdb_id: '1001', imdb_id: 'tt0000001', image_count: 11 };
    let n = 1;
    for (const key of Object.keys(FANART_MOVIE_KEYS)) body[key] = [img(String(n++), key)];
    body.moviesquare = [img('99', 'moviesquare')];
    const { parsed, candidates } = candidatesOf(body);
    expect(parsed.problems).toEqual([]);
    expect(candidates.map((c) => `${String(c.extra.key)}→${c.assetType} ${c.width}×${c.height}`)).toEqual([
      'hdmovielogo→clearlogo 800×310',
      'movieposter→poster 1000×1426',
      'movie4kbackground→fanart 3840×2160',
      'moviedisc→discart 1000×1000',
      'moviethumb→landscape 1000×562',
      'moviebanner→banner 1000×185',
      'hdmovieclearart→clearart 1000×562',
      'movielogo→clearlogo 400×155',
      'moviebackground→fanart 1920×1080',
      'movieart→clearart 500×281',
    ]);
    expect(candidates.every((c) => c.previewUrl?.includes('/preview/movies/1001/'))).toBe(true);
    expect(candidates.some((c) => c.providerImageId === '99')).toBe(false);
  });

  it('parses numeric strings, reads "00" and "" as no language, offers textless posters as keyart', () => {
    const { candidates } = candidatesOf({
      movieposter: [
        img('10', 'movieposter', { lang: '00', likes: '12', width: '1000', height: '1500' }),
        img('11', 'movieposter', { lang: 'fr' }),
      ],
      moviedisc: [img('12', 'moviedisc', { lang: '', disc: '1', disc_type: 'bluray' })],
    });
    expect(candidates.map((c) => [c.providerImageId, c.assetType, c.language, c.likes])).toEqual([
      ['10', 'poster', null, 12],
      ['10', 'keyart', null, 12],
      ['11', 'poster', 'fr', 3],
      ['12', 'discart', null, 3],
    ]);
    expect(candidates[0]).toMatchObject({ width: 1000, height: 1500, extra: { sizeFrom: 'provider' } });
    expect(candidates[3]).toMatchObject({ extra: { disc: '1', discType: 'bluray', sizeFrom: 'nominal' } });
  });

  it('takes numbers sent as numbers, and skips a key of the wrong shape without losing the rest', () => {
    const { parsed, candidates } = candidatesOf({
      movieposter: [{ ...img('20', 'movieposter'), likes: 7 }],
      hdmovielogo: { 0: img('21', 'hdmovielogo') },
      moviethumb: [img('22', 'moviethumb'), { id: '23', url: 'not a url' }],
    });
    expect(candidates.map((c) => [c.providerImageId, c.likes])).toEqual([
      ['20', 7],
      ['22', 3],
    ]);
    expect(parsed.problems).toHaveLength(2);
  });
});
