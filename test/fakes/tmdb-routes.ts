import type { FakeCatalogue, FakeMovie, FakeTmdbImage } from './catalogue.ts';
import { normaliseForSearch } from './catalogue.ts';
import { GENRES, LANGUAGE_NAMES } from './catalogue-data.ts';
import { TMDB_ERRORS, tmdbErrorBody } from './errors.ts';
import { json, type FakeRequest, type FakeResponse, type RouteMatch, type Router } from './http.ts';

/** Size lists as /configuration publishes them; the image host serves exactly these. */
export const TMDB_IMAGE_SIZES = {
  backdrop_sizes: ['w300', 'w780', 'w1280', 'original'],
  logo_sizes: ['w45', 'w92', 'w154', 'w185', 'w300', 'w500', 'original'],
  poster_sizes: ['w92', 'w154', 'w185', 'w342', 'w500', 'w780', 'original'],
  profile_sizes: ['w45', 'w185', 'h632', 'original'],
  still_sizes: ['w92', 'w185', 'w300', 'original'],
} as const;

export const TMDB_BEARER_TOKEN = 'fake-tmdb-token';
const PAGE_SIZE = 20;
const MAX_APPENDS = 20;

export interface TmdbContext {
  catalogue: FakeCatalogue;
  apiKey: string;
  bearerToken: string;
  /** http://127.0.0.1:PORT/t/p/ */
  imageBaseUrl: string;
}

function error(e: { http: number; code: number; message: string }): FakeResponse {
  return json(e.http, tmdbErrorBody(e.code, e.message));
}

const notFound = (): FakeResponse => error(TMDB_ERRORS.notFound);

function imageJson(img: FakeTmdbImage): Record<string, unknown> {
  const out: Record<string, unknown> = { aspect_ratio: img.aspect_ratio, height: img.height, iso_639_1: img.iso_639_1 };
  if (img.iso_3166_1 !== undefined) out.iso_3166_1 = img.iso_3166_1;
  out.file_path = img.file_path;
  if (img.file_type !== undefined) out.file_type = img.file_type;
  out.vote_average = img.vote_average;
  out.vote_count = img.vote_count;
  out.width = img.width;
  return out;
}

function languageCode(language: string | null): string | null {
  if (!language) return null;
  return language.split('-')[0]?.toLowerCase() || null;
}

/** A foreign film asked for in its own language comes back under its original title. */
function localTitle(m: FakeMovie, language: string | null): string {
  return languageCode(language) === m.originalLanguage ? m.originalTitle : m.title;
}

/**
 * `language` and `include_image_language` act as filters; with neither, every image comes back.
 * The literal "null" selects language-less images, which now also arrive as "xx".
 */
export function filterImages(
  images: readonly FakeTmdbImage[],
  language: string | null,
  include: string | null,
): FakeTmdbImage[] {
  if (!language && !include) return [...images];
  const allowed = new Set<string>();
  for (const c of (include ?? '').split(',')) if (c.trim()) allowed.add(c.trim().toLowerCase());
  const lc = languageCode(language);
  if (lc) allowed.add(lc);
  const neutral = allowed.has('null') || allowed.has('xx');
  return images.filter((img) =>
    img.iso_639_1 === null || img.iso_639_1 === 'xx' ? neutral : allowed.has(img.iso_639_1.toLowerCase()),
  );
}

function imagesBlock(m: FakeMovie, req: FakeRequest): Record<string, unknown> {
  const lang = req.query.get('language');
  const include = req.query.get('include_image_language');
  return {
    backdrops: filterImages(m.tmdbImages.backdrops, lang, include).map(imageJson),
    logos: filterImages(m.tmdbImages.logos, lang, include).map(imageJson),
    posters: filterImages(m.tmdbImages.posters, lang, include).map(imageJson),
  };
}

export function searchResult(m: FakeMovie, language: string | null): Record<string, unknown> {
  return {
    adult: m.adult,
    backdrop_path: m.backdropPath,
    genre_ids: m.genres.map((g) => g.id),
    id: m.tmdbId,
    original_language: m.originalLanguage,
    original_title: m.originalTitle,
    overview: m.overview,
    popularity: m.popularity,
    poster_path: m.posterPath,
    release_date: m.releaseDate,
    title: localTitle(m, language),
    video: false,
    vote_average: m.vote_average,
    vote_count: m.vote_count,
  };
}

function externalIds(m: FakeMovie): Record<string, unknown> {
  return {
    imdb_id: m.imdbId,
    wikidata_id: `Q${(m.tmdbId * 7) % 99_999_989}`,
    facebook_id: null,
    instagram_id: null,
    twitter_id: null,
  };
}

function credits(m: FakeMovie): Record<string, unknown> {
  const person = (
    p: { id: number; name: string; gender: number; profile_path: string | null },
    dept: string,
  ): Record<string, unknown> => ({
    adult: false,
    gender: p.gender,
    id: p.id,
    known_for_department: dept,
    name: p.name,
    original_name: p.name,
    popularity: Math.round(((p.id % 5000) / 100) * 1000) / 1000,
    profile_path: p.profile_path,
  });
  return {
    cast: m.cast.map((c) => ({
      ...person(c, 'Acting'),
      cast_id: c.cast_id,
      character: c.character,
      credit_id: c.credit_id,
      order: c.order,
    })),
    crew: [...m.directors, ...m.writers].map((c) => ({
      ...person(c, c.department),
      credit_id: c.credit_id,
      department: c.department,
      job: c.job,
    })),
  };
}

function releaseDates(m: FakeMovie): Record<string, unknown> {
  const byCountry = new Map<string, Array<Record<string, unknown>>>();
  for (const r of m.releaseDates) {
    const list = byCountry.get(r.country) ?? [];
    list.push({
      certification: r.certification,
      descriptors: [],
      iso_639_1: '',
      note: r.note,
      release_date: r.date,
      type: r.type,
    });
    byCountry.set(r.country, list);
  }
  return { results: [...byCountry].map(([iso, release_dates]) => ({ iso_3166_1: iso, release_dates })) };
}

function related(ctx: TmdbContext, m: FakeMovie, language: string | null): Record<string, unknown> {
  const ids = new Set(m.genres.map((g) => g.id));
  const results = ctx.catalogue.movies
    .filter((o) => o !== m && !o.adult && o.genres.some((g) => ids.has(g.id)))
    .slice(0, PAGE_SIZE)
    .map((o) => searchResult(o, language));
  return { page: 1, results, total_pages: results.length > 0 ? 1 : 0, total_results: results.length };
}

type AppendBuilder = (ctx: TmdbContext, m: FakeMovie, req: FakeRequest) => unknown;

const APPENDABLE: Readonly<Record<string, AppendBuilder>> = {
  images: (_ctx, m, req) => imagesBlock(m, req),
  external_ids: (_ctx, m) => externalIds(m),
  credits: (_ctx, m) => credits(m),
  release_dates: (_ctx, m) => releaseDates(m),
  keywords: (_ctx, m) => ({ keywords: m.keywords }),
  alternative_titles: (_ctx, m) => ({
    titles:
      m.originalTitle !== m.title
        ? [{ iso_3166_1: m.countries[0]?.iso_3166_1 ?? 'US', title: m.originalTitle, type: '' }]
        : [],
  }),
  translations: (_ctx, m) => ({
    translations: [
      {
        iso_3166_1: 'US',
        iso_639_1: 'en',
        name: 'English',
        english_name: 'English',
        data: { homepage: '', overview: m.overview, runtime: m.runtime, tagline: m.tagline, title: m.title },
      },
      ...(m.originalLanguage !== 'en'
        ? [
            {
              iso_3166_1: m.countries[0]?.iso_3166_1 ?? '',
              iso_639_1: m.originalLanguage,
              name: LANGUAGE_NAMES[m.originalLanguage]?.name ?? '',
              english_name: LANGUAGE_NAMES[m.originalLanguage]?.english_name ?? '',
              data: { homepage: '', overview: '', runtime: 0, tagline: '', title: m.originalTitle },
            },
          ]
        : []),
    ],
  }),
  videos: () => ({ results: [] }),
  reviews: () => ({ page: 1, results: [], total_pages: 0, total_results: 0 }),
  lists: () => ({ page: 1, results: [], total_pages: 0, total_results: 0 }),
  similar: (ctx, m, req) => related(ctx, m, req.query.get('language')),
  recommendations: (ctx, m, req) => related(ctx, m, req.query.get('language')),
};

function details(ctx: TmdbContext, m: FakeMovie, req: FakeRequest): Record<string, unknown> {
  const language = req.query.get('language');
  const c = m.collection;
  return {
    adult: m.adult,
    backdrop_path: m.backdropPath,
    belongs_to_collection: c
      ? { id: c.id, name: c.name, poster_path: c.poster_path, backdrop_path: c.backdrop_path }
      : null,
    budget: m.budget,
    genres: m.genres,
    homepage: '',
    id: m.tmdbId,
    imdb_id: m.imdbId,
    origin_country: m.countries.slice(0, 1).map((x) => x.iso_3166_1),
    original_language: m.originalLanguage,
    original_title: m.originalTitle,
    overview: m.overview,
    popularity: m.popularity,
    poster_path: m.posterPath,
    production_companies: m.studios.map((s) => ({
      id: s.id,
      logo_path: null,
      name: s.name,
      origin_country: s.originCountry,
    })),
    production_countries: m.countries,
    release_date: m.releaseDate,
    revenue: m.revenue,
    runtime: m.runtime,
    spoken_languages: m.spokenLanguages.map((l) => ({
      english_name: LANGUAGE_NAMES[l]?.english_name ?? l,
      iso_639_1: l,
      name: LANGUAGE_NAMES[l]?.name ?? l,
    })),
    status: 'Released',
    tagline: m.tagline,
    title: localTitle(m, language),
    video: false,
    vote_average: m.vote_average,
    vote_count: m.vote_count,
  };
}

/** "603" and TMDB's slug form "603-some-title" both address movie 603. */
function movieFromParam(ctx: TmdbContext, param: string): FakeMovie | undefined {
  const m = /^(\d+)(?:-.*)?$/.exec(param);
  return m?.[1] ? ctx.catalogue.byTmdbId(Number(m[1])) : undefined;
}

function parseIntParam(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  return /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
}

function search(ctx: TmdbContext, req: FakeRequest): FakeResponse {
  const query = req.query.get('query');
  if (query === null) return json(422, tmdbErrorBody(5, 'Invalid parameters: Your request parameters are incorrect.'));
  const page = parseIntParam(req.query.get('page')) ?? 1;
  if (!Number.isInteger(page) || page < 1 || page > 500) return error(TMDB_ERRORS.invalidPage);
  const needle = normaliseForSearch(query);
  const language = req.query.get('language');
  const includeAdult = req.query.get('include_adult') === 'true';
  const year = parseIntParam(req.query.get('year'));
  const primaryYear = parseIntParam(req.query.get('primary_release_year'));
  const hits =
    needle === ''
      ? []
      : ctx.catalogue.movies.filter((m) => {
          if (m.adult && !includeAdult) return false;
          if (!m.searchText.includes(needle)) return false;
          if (primaryYear !== null && !Number.isNaN(primaryYear) && m.year !== primaryYear) return false;
          if (
            year !== null &&
            !Number.isNaN(year) &&
            !m.releaseDates.some((r) => r.date.startsWith(String(year))) &&
            m.year !== year
          )
            return false;
          return true;
        });
  // Exact title matches first, then popularity, like TMDB's relevance in practice.
  hits.sort((a, b) => {
    const ea = normaliseForSearch(a.title) === needle ? 1 : 0;
    const eb = normaliseForSearch(b.title) === needle ? 1 : 0;
    return eb - ea || b.popularity - a.popularity || a.tmdbId - b.tmdbId;
  });
  const results = hits.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((m) => searchResult(m, language));
  return json(200, { page, results, total_pages: Math.ceil(hits.length / PAGE_SIZE), total_results: hits.length });
}

function find(ctx: TmdbContext, req: FakeRequest, externalId: string): FakeResponse {
  const source = req.query.get('external_source');
  const m = source === 'imdb_id' ? ctx.catalogue.byImdbId(externalId) : undefined;
  const language = req.query.get('language');
  return json(200, {
    movie_results: m ? [{ ...searchResult(m, language), media_type: 'movie' }] : [],
    person_results: [],
    tv_results: [],
    tv_episode_results: [],
    tv_season_results: [],
  });
}

function movieDetails(ctx: TmdbContext, req: FakeRequest, param: string): FakeResponse {
  const m = movieFromParam(ctx, param);
  if (!m) return notFound();
  const appends = (req.query.get('append_to_response') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (appends.length > MAX_APPENDS) return error(TMDB_ERRORS.tooManyAppends);
  const body = details(ctx, m, req);
  for (const name of appends) {
    const build = APPENDABLE[name];
    if (build) body[name] = build(ctx, m, req); // unknown names are silently ignored, as upstream does
  }
  return json(200, body);
}

function movieSub(ctx: TmdbContext, req: FakeRequest, param: string, sub: string): FakeResponse {
  const m = movieFromParam(ctx, param);
  const build = APPENDABLE[sub];
  if (!m || !build) return notFound();
  return json(200, { id: m.tmdbId, ...(build(ctx, m, req) as Record<string, unknown>) });
}

function collection(ctx: TmdbContext, req: FakeRequest, param: string, images: boolean): FakeResponse {
  const c = ctx.catalogue.collection(/^\d+$/.test(param) ? Number(param) : Number.NaN);
  if (!c) return notFound();
  if (images) {
    const lang = req.query.get('language');
    const include = req.query.get('include_image_language');
    return json(200, {
      id: c.id,
      backdrops: filterImages(c.backdrops, lang, include).map(imageJson),
      posters: filterImages(c.posters, lang, include).map(imageJson),
    });
  }
  const parts = c.parts.flatMap((id) => {
    const m = ctx.catalogue.byTmdbId(id);
    return m ? [{ ...searchResult(m, req.query.get('language')), media_type: 'movie' }] : [];
  });
  return json(200, {
    id: c.id,
    name: c.name,
    overview: c.overview,
    poster_path: c.poster_path,
    backdrop_path: c.backdrop_path,
    parts,
  });
}

function configuration(ctx: TmdbContext): FakeResponse {
  return json(200, {
    change_keys: [
      'adult',
      'air_date',
      'also_known_as',
      'biography',
      'birthday',
      'images',
      'imdb_id',
      'overview',
      'poster',
      'release_dates',
      'title',
    ],
    images: { base_url: ctx.imageBaseUrl, secure_base_url: ctx.imageBaseUrl, ...TMDB_IMAGE_SIZES },
  });
}

function isAuthorised(ctx: TmdbContext, req: FakeRequest): boolean {
  if (req.query.get('api_key') === ctx.apiKey) return true;
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  return bearer === ctx.bearerToken;
}

interface Route {
  re: RegExp;
  key: (m: RegExpExecArray) => string;
  run: (ctx: TmdbContext, req: FakeRequest, m: RegExpExecArray) => FakeResponse;
}

const SUB_RESOURCES = Object.keys(APPENDABLE).join('|');

const ROUTES: readonly Route[] = [
  { re: /^\/3\/configuration$/, key: () => '/configuration', run: (ctx) => configuration(ctx) },
  {
    re: /^\/3\/authentication$/,
    key: () => '/authentication',
    run: () => json(200, { success: true, status_code: 1, status_message: 'Success.' }),
  },
  { re: /^\/3\/genre\/movie\/list$/, key: () => '/genre/movie/list', run: () => json(200, { genres: GENRES }) },
  { re: /^\/3\/search\/movie$/, key: () => '/search/movie', run: (ctx, req) => search(ctx, req) },
  {
    re: /^\/3\/find\/([^/]+)$/,
    key: () => '/find/:id',
    run: (ctx, req, m) => find(ctx, req, decodeURIComponent(m[1] ?? '')),
  },
  { re: /^\/3\/movie\/([^/]+)$/, key: () => '/movie/:id', run: (ctx, req, m) => movieDetails(ctx, req, m[1] ?? '') },
  {
    re: new RegExp(`^/3/movie/([^/]+)/(${SUB_RESOURCES})$`),
    key: (m) => `/movie/:id/${m[2] ?? ''}`,
    run: (ctx, req, m) => movieSub(ctx, req, m[1] ?? '', m[2] ?? ''),
  },
  {
    re: /^\/3\/collection\/([^/]+)$/,
    key: () => '/collection/:id',
    run: (ctx, req, m) => collection(ctx, req, m[1] ?? '', false),
  },
  {
    re: /^\/3\/collection\/([^/]+)\/images$/,
    key: () => '/collection/:id/images',
    run: (ctx, req, m) => collection(ctx, req, m[1] ?? '', true),
  },
];

export function tmdbRouter(ctx: TmdbContext): Router {
  return (req): RouteMatch => {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    for (const route of ROUTES) {
      const m = route.re.exec(path);
      if (!m) continue;
      return {
        keys: [`tmdb:${route.key(m)}`],
        run: () => {
          if (!isAuthorised(ctx, req)) return error(TMDB_ERRORS.invalidKey);
          if (req.method !== 'GET' && req.method !== 'HEAD') return notFound();
          return route.run(ctx, req, m);
        },
      };
    }
    return { keys: ['tmdb:unknown'], run: () => (isAuthorised(ctx, req) ? notFound() : error(TMDB_ERRORS.invalidKey)) };
  };
}
