import {
  ADJECTIVES,
  ANCHORS,
  CERTIFICATIONS,
  CHARACTER_EXTRAS,
  COUNTRY_NAMES,
  FIRST_NAMES,
  FOREIGN_TITLES,
  GENRES,
  KEYWORDS,
  LANGUAGE_COUNTRY,
  LAST_NAMES,
  NOUNS,
  OVERVIEW_EVENTS,
  OVERVIEW_GOALS,
  PLACES,
  ROMAN,
  STUDIOS,
  SUBTITLES,
  TAGLINES,
  type AnchorMovie,
} from './catalogue-data.ts';
import { makePictureId, type PictureKind } from './images.ts';
import { Random } from './prng.ts';

/** JPEG quality of TMDB `original` renditions; byte-identical Fanart duplicates reuse it. */
export const TMDB_ORIGINAL_QUALITY = 90;
/** JPEG quality of TMDB resized renditions (wNNN / hNNN). */
export const TMDB_RESIZED_QUALITY = 80;
export const FANART_QUALITY = 85;
/** Fanart copies of TMDB pictures are re-encoded at a lower quality so their bytes differ. */
export const FANART_NEAR_DUPLICATE_QUALITY = 72;

export type TmdbImageKind = 'poster' | 'backdrop' | 'logo' | 'profile';

/** A TMDB image object plus the fake's bookkeeping (`kind`, `pictureId`), which is never sent. */
export interface FakeTmdbImage {
  kind: TmdbImageKind;
  pictureId: string;
  aspect_ratio: number;
  width: number;
  height: number;
  iso_639_1: string | null;
  iso_3166_1?: string;
  file_path: string;
  file_type?: '.png' | '.svg';
  vote_average: number;
  vote_count: number;
}

export const FANART_MOVIE_TYPES = [
  'hdmovielogo',
  'moviedisc',
  'movielogo',
  'movieposter',
  'hdmovieclearart',
  'movieart',
  'moviebackground',
  'moviebanner',
  'moviethumb',
  'movie4kbackground',
] as const;
export type FanartMovieType = (typeof FANART_MOVIE_TYPES)[number];
/** A key the real service does not have (yet): clients must ignore it. */
export const FANART_UNKNOWN_TYPE = 'moviesquare';
export type FanartTypeKey = FanartMovieType | typeof FANART_UNKNOWN_TYPE;

export interface FakeFanartImage {
  type: FanartTypeKey;
  id: string;
  pictureId: string;
  /** Path below the asset host's `/fanart/` (and `/preview/`, `/bigpreview/`). */
  path: string;
  url: string;
  lang: string;
  likes: string;
  added: string;
  width: number;
  height: number;
  format: 'jpeg' | 'png';
  quality: number;
  disc?: string;
  disc_type?: string;
  /** Set when this is the same picture as a TMDB image; `exact` means byte-identical. */
  sameAsTmdb?: { file_path: string; exact: boolean };
}

export interface FakePerson {
  id: number;
  name: string;
  gender: 0 | 1 | 2;
  knownForDepartment: string;
  popularity: number;
  profile_path: string | null;
}

export interface FakeCastMember {
  id: number;
  name: string;
  character: string;
  order: number;
  profile_path: string | null;
  gender: 0 | 1 | 2;
  credit_id: string;
  cast_id: number;
}

export interface FakeCrewMember {
  id: number;
  name: string;
  job: string;
  department: string;
  profile_path: string | null;
  gender: 0 | 1 | 2;
  credit_id: string;
}

export interface FakeReleaseDate {
  country: string;
  certification: string;
  /** ISO timestamp as TMDB sends it, e.g. "2019-12-25T00:00:00.000Z". */
  date: string;
  type: 1 | 2 | 3 | 4 | 5 | 6;
  note: string;
}

export interface FakeCollection {
  id: number;
  name: string;
  overview: string;
  poster_path: string | null;
  backdrop_path: string | null;
  posters: FakeTmdbImage[];
  backdrops: FakeTmdbImage[];
  /** tmdb ids of the parts present in this catalogue. */
  parts: number[];
}

export interface FakeMovie {
  index: number;
  tmdbId: number;
  imdbId: string;
  title: string;
  originalTitle: string;
  originalLanguage: string;
  year: number;
  releaseDate: string;
  overview: string;
  tagline: string;
  runtime: number;
  adult: boolean;
  genres: Array<{ id: number; name: string }>;
  studios: Array<{ id: number; name: string; originCountry: string }>;
  countries: Array<{ iso_3166_1: string; name: string }>;
  spokenLanguages: string[];
  directors: FakeCrewMember[];
  writers: FakeCrewMember[];
  cast: FakeCastMember[];
  /** US certification from release_dates ('' when unrated). */
  certification: string;
  releaseDates: FakeReleaseDate[];
  collection: FakeCollection | null;
  keywords: Array<{ id: number; name: string }>;
  vote_average: number;
  vote_count: number;
  popularity: number;
  budget: number;
  revenue: number;
  posterPath: string | null;
  backdropPath: string | null;
  tmdbImages: { posters: FakeTmdbImage[]; backdrops: FakeTmdbImage[]; logos: FakeTmdbImage[] };
  /** Flat list; the API groups them by `type` and omits empty types. Sorted by likes within a type. */
  fanartImages: FakeFanartImage[];
  /** Lower-cased, accent-stripped title + original title, for the search route. */
  searchText: string;
}

export interface DuplicatePair {
  tmdbId: number;
  pictureId: string;
  tmdb: FakeTmdbImage;
  fanart: FakeFanartImage;
  /** true → the two URLs serve byte-identical files (sha256 equal). */
  exact: boolean;
}

export interface FakeCatalogue {
  seed: number;
  movies: FakeMovie[];
  byTmdbId(id: number | string): FakeMovie | undefined;
  byImdbId(id: string): FakeMovie | undefined;
  collection(id: number | string): FakeCollection | undefined;
  /** TMDB image by the file name part of file_path (with or without leading slash / extension). */
  tmdbImageByFile(file: string): FakeTmdbImage | undefined;
  /** Fanart image by its path below /fanart/ (e.g. "movies/123/movieposter/x-abc.jpg"). */
  fanartImageByPath(path: string): FakeFanartImage | undefined;
  /** Every (TMDB image, Fanart image) pair that shows the same picture. */
  duplicatePairs(): DuplicatePair[];
}

export interface CatalogueOptions {
  seed?: number;
  movieCount?: number;
  /** Origin the Fanart `url` fields point at (the fake asset listener). */
  fanartAssetOrigin?: string;
}

/** Folds case, accents and punctuation so "amelies garden" finds "Amélie's Garden". */
export function normaliseForSearch(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function slugify(s: string): string {
  const slug = s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'movie';
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

class Builder {
  readonly tmdbFiles = new Map<string, FakeTmdbImage>();
  readonly fanartPaths = new Map<string, FakeFanartImage>();
  readonly tmdbIds = new Set<number>();
  readonly imdbIds = new Set<string>();
  readonly titles = new Map<string, number>();
  readonly collections = new Map<string, FakeCollection>();
  readonly persons: FakePerson[];

  constructor(
    readonly seed: number,
    readonly assetOrigin: string,
  ) {
    this.persons = this.buildPersons();
  }

  filePath(rng: Random, ext: string): string {
    for (;;) {
      const name = rng.alnum(27);
      if (!this.tmdbFiles.has(name)) return `/${name}${ext}`;
    }
  }

  register(img: FakeTmdbImage): FakeTmdbImage {
    const key = img.file_path.slice(1).replace(/\.[a-z]+$/, '');
    const existing = this.tmdbFiles.get(key);
    if (existing) return existing;
    this.tmdbFiles.set(key, img);
    return img;
  }

  tmdbImage(
    rng: Random,
    kind: TmdbImageKind,
    size: readonly [number, number],
    lang: string | null,
    opts: { svg?: boolean; regionStyle?: boolean } = {},
  ): FakeTmdbImage {
    const [width, height] = size;
    const ext = kind === 'logo' ? (opts.svg ? '.svg' : '.png') : '.jpg';
    const withText = kind !== 'logo' && lang !== null && lang !== 'xx';
    const rated = rng.chance(0.6);
    const img: FakeTmdbImage = {
      kind,
      pictureId: makePictureId(kind as PictureKind, withText, rng),
      aspect_ratio: round3(width / height),
      width,
      height,
      iso_639_1: lang,
      file_path: this.filePath(rng, ext),
      vote_average: rated ? rng.real(5, 6, 3) : 0,
      vote_count: rated ? rng.int(1, 60) : 0,
    };
    // Since Oct 2025 language-neutral images come back as xx/XX and some carry a region.
    if (lang === 'xx') img.iso_3166_1 = 'XX';
    else if (lang !== null && (opts.regionStyle ?? rng.chance(0.5))) img.iso_3166_1 = LANGUAGE_COUNTRY[lang] ?? 'US';
    if (kind === 'logo') img.file_type = opts.svg ? '.svg' : '.png';
    return this.register(img);
  }

  buildPersons(): FakePerson[] {
    const rng = Random.from(this.seed, 'persons');
    const used = new Set<number>();
    const names = new Set<string>();
    const persons: FakePerson[] = [];
    for (let i = 0; i < 400; i++) {
      let id = rng.int(1000, 4_999_999);
      while (used.has(id)) id++;
      used.add(id);
      let name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      if (names.has(name))
        name = `${rng.pick(FIRST_NAMES)} ${rng.pick(FIRST_NAMES).replace(/-.*/, '')} ${rng.pick(LAST_NAMES)}`;
      names.add(name);
      const gender = rng.pick([0, 1, 2] as const);
      const hasProfile = rng.chance(0.8);
      persons.push({
        id,
        name,
        gender,
        knownForDepartment: i < 60 ? rng.pick(['Directing', 'Writing']) : 'Acting',
        popularity: rng.real(0.6, 60, 3),
        profile_path: hasProfile
          ? this.tmdbImage(
              rng,
              'profile',
              rng.pick([
                [600, 900],
                [1000, 1500],
                [400, 600],
              ] as const),
              null,
            ).file_path
          : null,
      });
    }
    return persons;
  }

  collectionFor(name: string, tmdbId: number): FakeCollection {
    let c = this.collections.get(name);
    if (!c) {
      const rng = Random.from(this.seed, 'collection', name);
      const posters = Array.from({ length: rng.int(2, 4) }, () =>
        this.tmdbImage(rng, 'poster', [1000, 1500], rng.pick(['en', null, 'xx'] as const)),
      );
      const backdrops = Array.from({ length: rng.int(1, 3) }, () =>
        this.tmdbImage(rng, 'backdrop', [1920, 1080], null),
      );
      c = {
        id: rng.int(1_000_000, 1_300_000),
        name,
        overview: `All films of the ${name.replace(/ Collection$/, '')} series.`,
        poster_path: posters[0]?.file_path ?? null,
        backdrop_path: backdrops[0]?.file_path ?? null,
        posters,
        backdrops,
        parts: [],
      };
      this.collections.set(name, c);
    }
    c.parts.push(tmdbId);
    return c;
  }

  crew(rng: Random, person: FakePerson, job: string, department: string): FakeCrewMember {
    return {
      id: person.id,
      name: person.name,
      job,
      department,
      profile_path: person.profile_path,
      gender: person.gender,
      credit_id: rng.hex(24),
    };
  }

  generatedTitle(
    rng: Random,
    index: number,
  ): { title: string; originalTitle: string; language: string; collection?: string; remakeOf?: string } {
    if (rng.chance(0.18)) {
      const f = rng.pick(FOREIGN_TITLES);
      if (!this.titles.has(f.title)) return { title: f.title, originalTitle: f.originalTitle, language: f.language };
    }
    if (rng.chance(0.05) && this.titles.size > ANCHORS.length) {
      const earlier = [...this.titles.keys()].slice(ANCHORS.length);
      const t = rng.pick(earlier);
      return { title: t, originalTitle: t, language: 'en', remakeOf: t };
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const pattern = rng.int(0, 7);
      const adj = rng.pick(ADJECTIVES);
      const noun = rng.pick(NOUNS);
      let title: string;
      let collection: string | undefined;
      switch (pattern) {
        case 0:
          title = `The ${adj} ${noun}`;
          break;
        case 1:
          title = `${adj} ${noun}`;
          break;
        case 2:
          title = `${noun} of ${rng.pick(PLACES)}`;
          break;
        case 3:
          title = `${rng.pick(FIRST_NAMES)}'s ${noun}`;
          break;
        case 4:
          title = `${noun}: ${rng.pick(SUBTITLES)}`;
          break;
        case 5:
          title = `The ${noun} ${rng.pick(ROMAN)}`;
          collection = `The ${noun} Collection`;
          break;
        case 6:
          title = rng.chance(0.5) ? String(rng.int(1920, 2049)) : `${rng.int(2, 99)} ${noun}s`;
          break;
        default:
          title = `${adj} ${noun}s`;
      }
      if (!this.titles.has(title))
        return { title, originalTitle: title, language: 'en', ...(collection ? { collection } : {}) };
    }
    return { title: `Untitled Project ${index}`, originalTitle: `Untitled Project ${index}`, language: 'en' };
  }

  fanartImage(
    rng: Random,
    movie: { index: number; tmdbId: number; title: string },
    type: FanartTypeKey,
    k: number,
    opts: {
      pictureId?: string;
      lang?: string;
      width?: number;
      height?: number;
      quality?: number;
      sameAsTmdb?: FakeFanartImage['sameAsTmdb'];
    } = {},
  ): FakeFanartImage {
    const spec = FANART_SPECS[type];
    const lang = opts.lang ?? rng.weighted(spec.langs);
    const withText = spec.text === 'always' || (spec.text === 'lang' && lang !== '00' && lang !== '');
    const ext = spec.format === 'png' ? 'png' : 'jpg';
    const path = `movies/${movie.tmdbId}/${type}/${slugify(movie.title)}-${rng.hex(13)}.${ext}`;
    const added = `${rng.int(2010, 2025)}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))} ${pad2(rng.int(0, 23))}:${pad2(rng.int(0, 59))}:${pad2(rng.int(0, 59))}`;
    const img: FakeFanartImage = {
      type,
      id: String(200_000 + movie.index * 64 + k),
      pictureId: opts.pictureId ?? makePictureId(spec.kind, withText, rng),
      path,
      url: `${this.assetOrigin}/fanart/${path}`,
      lang,
      likes: String(Math.floor(41 * rng.float() ** 2)),
      added,
      width: opts.width ?? spec.size[0],
      height: opts.height ?? spec.size[1],
      format: spec.format,
      quality: opts.quality ?? FANART_QUALITY,
    };
    if (type === 'moviedisc') {
      img.disc = String(
        rng.weighted([
          [1, 8],
          [2, 2],
        ] as const),
      );
      img.disc_type = rng.weighted([
        ['bluray', 6],
        ['dvd', 3],
        ['3d', 1],
      ] as const);
    }
    if (opts.sameAsTmdb) img.sameAsTmdb = opts.sameAsTmdb;
    this.fanartPaths.set(path, img);
    return img;
  }

  movie(index: number): FakeMovie {
    const rng = Random.from(this.seed, 'movie', index);
    const anchor: AnchorMovie | undefined = ANCHORS[index];

    let tmdbId = rng.int(1000, 1_300_000);
    while (this.tmdbIds.has(tmdbId)) tmdbId++;
    this.tmdbIds.add(tmdbId);
    let imdbNum = rng.int(1, 9_999_999);
    while (this.imdbIds.has(`tt${String(imdbNum).padStart(7, '0')}`)) imdbNum = (imdbNum % 9_999_999) + 1;
    const imdbId = `tt${String(imdbNum).padStart(7, '0')}`;
    this.imdbIds.add(imdbId);

    const gen = anchor
      ? {
          title: anchor.title,
          originalTitle: anchor.originalTitle ?? anchor.title,
          language: anchor.language,
          collection: anchor.collection,
        }
      : this.generatedTitle(rng, index);
    const { title, originalTitle, language } = gen;
    let year =
      anchor?.year ??
      rng.weighted([
        [rng.int(1950, 1979), 1],
        [rng.int(1980, 1999), 2],
        [rng.int(2000, 2025), 5],
      ] as const);
    if (!anchor && 'remakeOf' in gen && gen.remakeOf) {
      const earlierYear = this.titles.get(gen.remakeOf) ?? year;
      year = earlierYear < 1990 ? earlierYear + rng.int(15, 35) : earlierYear - rng.int(15, 40);
    }
    this.titles.set(title, year);
    const releaseDate = `${year}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))}`;

    const originCountry = LANGUAGE_COUNTRY[language] ?? 'US';
    const countries = [originCountry, ...(rng.chance(0.25) ? [rng.pick(['GB', 'CA', 'FR', 'DE'])] : [])]
      .filter((c, i, a) => a.indexOf(c) === i)
      .map((c) => ({ iso_3166_1: c, name: COUNTRY_NAMES[c] ?? c }));

    const genreIds = anchor?.genres ?? rng.sample(GENRES, rng.int(1, 3)).map((g) => g.id);
    const genres = genreIds
      .map((id) => GENRES.find((g) => g.id === id) ?? { id, name: 'Unknown' })
      .map((g) => ({ id: g.id, name: g.name }));
    const localStudios = STUDIOS.filter((s) => s.originCountry === originCountry);
    const studios = [
      ...(localStudios.length > 0 ? [rng.pick(localStudios)] : []),
      ...rng.sample(STUDIOS, rng.int(0, 2)),
    ]
      .filter((s, i, a) => a.findIndex((x) => x.id === s.id) === i)
      .map((s) => ({ id: s.id, name: s.name, originCountry: s.originCountry }));
    if (studios.length === 0) studios.push({ ...rng.pick(STUDIOS) });

    const directorsAndWriters = this.persons.slice(0, 60);
    const actors = this.persons.slice(60);
    const directorPeople = rng.sample(directorsAndWriters, rng.chance(0.1) ? 2 : 1);
    const directors = directorPeople.map((p) => this.crew(rng, p, 'Director', 'Directing'));
    const writers = rng
      .sample(directorsAndWriters, rng.int(1, 3))
      .map((p, i) =>
        this.crew(
          rng,
          p,
          i === 0 ? rng.pick(['Screenplay', 'Writer']) : rng.pick(['Novel', 'Story', 'Screenplay']),
          'Writing',
        ),
      );
    const cast: FakeCastMember[] = rng.sample(actors, rng.int(5, 12)).map((p, order) => ({
      id: p.id,
      name: p.name,
      character: rng.chance(0.12)
        ? rng.pick(CHARACTER_EXTRAS)
        : `${rng.pick(FIRST_NAMES)}${rng.chance(0.6) ? ` ${rng.pick(LAST_NAMES)}` : ''}`,
      order,
      profile_path: p.profile_path,
      gender: p.gender,
      credit_id: rng.hex(24),
      cast_id: order + 1,
    }));

    const releaseDates: FakeReleaseDate[] = [];
    const certFor = (country: string): string => {
      const table = CERTIFICATIONS[country];
      return table ? rng.weighted(table) : '';
    };
    releaseDates.push({
      country: originCountry,
      certification: certFor(originCountry),
      date: `${releaseDate}T00:00:00.000Z`,
      type: 3,
      note: '',
    });
    if (originCountry !== 'US') {
      const later = `${year + (rng.chance(0.7) ? 0 : 1)}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))}`;
      releaseDates.push({
        country: 'US',
        certification: certFor('US'),
        date: `${later}T00:00:00.000Z`,
        type: rng.pick([3, 4] as const),
        note: '',
      });
    }
    if (rng.chance(0.5) && originCountry !== 'GB') {
      releaseDates.push({
        country: 'GB',
        certification: certFor('GB'),
        date: `${releaseDate}T00:00:00.000Z`,
        type: 3,
        note: '',
      });
    }
    if (year >= 2000 && rng.chance(0.6)) {
      releaseDates.push({
        country: originCountry,
        certification: '',
        date: `${Math.min(year + 1, 2026)}-03-01T00:00:00.000Z`,
        type: 5,
        note: 'Blu-ray',
      });
    }
    const certification = releaseDates.find((r) => r.country === 'US' && r.certification !== '')?.certification ?? '';

    const collectionName = gen.collection;
    const collection = collectionName ? this.collectionFor(collectionName, tmdbId) : null;

    const noImages = anchor?.noImages ?? (index >= ANCHORS.length && rng.chance(0.03));
    const exactDuplicate = anchor?.exactDuplicate ?? rng.chance(0.2);
    const otherLangs: ReadonlyArray<readonly [string | null, number]> = [
      ['en', 45],
      [null, 10],
      ['xx', 10],
      [language === 'en' ? 'fr' : language, 15],
      ['fr', 5],
      ['de', 5],
      ['ja', 4],
      ['es', 4],
      ['it', 2],
    ];
    const posters: FakeTmdbImage[] = [];
    const backdrops: FakeTmdbImage[] = [];
    const logos: FakeTmdbImage[] = [];
    if (!noImages) {
      const nPosters = rng.int(3, 12);
      for (let i = 0; i < nPosters; i++) {
        const size = rng.weighted([
          [[2000, 3000], 40],
          [[1000, 1500], 35],
          [[1400, 2100], 13],
          [[500, 750], 12],
        ] as const);
        posters.push(this.tmdbImage(rng, 'poster', size, rng.weighted(otherLangs)));
      }
      if (anchor?.tinyPoster) posters.push(this.tmdbImage(rng, 'poster', [300, 450], 'en'));
      const nBackdrops = rng.int(3, 10);
      for (let i = 0; i < nBackdrops; i++) {
        const size =
          i === 0 && exactDuplicate
            ? ([1920, 1080] as const)
            : rng.weighted([
                [[1920, 1080], 55],
                [[3840, 2160], 25],
                [[1280, 720], 20],
              ] as const);
        const lang = rng.weighted([
          [null, 45],
          ['xx', 25],
          ['en', 20],
          [language, 10],
        ] as const);
        backdrops.push(this.tmdbImage(rng, 'backdrop', size, lang));
      }
      // Movie 0 always has logos, one of them SVG, so tests can count on both.
      const nLogos = index === 0 ? 3 : rng.int(0, 4);
      for (let i = 0; i < nLogos; i++) {
        const w = rng.int(800, 2000);
        const h = Math.round(w / rng.real(2, 5, 2));
        const lang = rng.weighted([
          ['en', 60],
          [language, 25],
          ['xx', 15],
        ] as const);
        logos.push(this.tmdbImage(rng, 'logo', [w, h], lang, { svg: (index === 0 && i === 0) || rng.chance(0.2) }));
      }
    }
    const byVotes = (a: FakeTmdbImage, b: FakeTmdbImage): number =>
      b.vote_average - a.vote_average || b.vote_count - a.vote_count;
    // The exact-duplicate backdrop must survive sorting as a known element, so remember it first.
    const exactBackdrop = exactDuplicate ? backdrops[0] : undefined;
    posters.sort(byVotes);
    backdrops.sort(byVotes);
    logos.sort(byVotes);

    const posterPath =
      (posters.find((p) => p.iso_639_1 === 'en' || p.iso_639_1 === language) ?? posters[0])?.file_path ?? null;
    const backdropPath =
      (backdrops.find((b) => b.iso_639_1 === null || b.iso_639_1 === 'xx') ?? backdrops[0])?.file_path ?? null;

    const movieRef = { index, tmdbId, title };
    const fanartImages: FakeFanartImage[] = [];
    const hasFanart = !noImages && (anchor?.fanart ?? rng.chance(0.75));
    if (hasFanart) {
      let k = 0;
      const add = (type: FanartTypeKey, count: number): void => {
        for (let i = 0; i < count; i++) fanartImages.push(this.fanartImage(rng, movieRef, type, k++));
      };
      add(
        'hdmovielogo',
        rng.weighted([
          [0, 2],
          [1, 4],
          [2, 3],
          [3, 1],
          [4, 1],
        ] as const),
      );
      if (year < 2012) add('movielogo', rng.int(0, 1));
      add('movieposter', rng.int(0, 6));
      add('moviebackground', rng.int(0, 6));
      if (rng.chance(0.3)) add('movie4kbackground', rng.int(1, 2));
      if (rng.chance(0.5)) add('moviedisc', rng.int(1, 3));
      add('moviethumb', rng.int(0, 3));
      add('moviebanner', rng.int(0, 2));
      add('hdmovieclearart', rng.int(0, 3));
      if (year < 2012 && rng.chance(0.3)) add('movieart', 1);
      if (rng.chance(0.25) || index === 0) add(FANART_UNKNOWN_TYPE, rng.int(1, 2));

      const fanartLang = (l: string | null): string => (l === null || l === 'xx' ? '00' : l);
      const poster = posters[0];
      if (poster) {
        fanartImages.push(
          this.fanartImage(rng, movieRef, 'movieposter', k++, {
            pictureId: poster.pictureId,
            lang: fanartLang(poster.iso_639_1),
            quality: FANART_NEAR_DUPLICATE_QUALITY,
            sameAsTmdb: { file_path: poster.file_path, exact: false },
          }),
        );
      }
      const others = backdrops.filter((b) => b !== exactBackdrop);
      const nearBackdrop = others.find((b) => b.width !== 1920) ?? others[0];
      if (nearBackdrop) {
        fanartImages.push(
          this.fanartImage(rng, movieRef, 'moviebackground', k++, {
            pictureId: nearBackdrop.pictureId,
            lang: fanartLang(nearBackdrop.iso_639_1) === '00' ? '' : fanartLang(nearBackdrop.iso_639_1),
            quality: FANART_NEAR_DUPLICATE_QUALITY,
            sameAsTmdb: { file_path: nearBackdrop.file_path, exact: false },
          }),
        );
      }
      if (exactBackdrop) {
        fanartImages.push(
          this.fanartImage(rng, movieRef, 'moviebackground', k++, {
            pictureId: exactBackdrop.pictureId,
            lang: '',
            width: exactBackdrop.width,
            height: exactBackdrop.height,
            quality: TMDB_ORIGINAL_QUALITY,
            sameAsTmdb: { file_path: exactBackdrop.file_path, exact: true },
          }),
        );
      }
      const typeOrder = (t: FanartTypeKey): number => (t === FANART_UNKNOWN_TYPE ? 99 : FANART_MOVIE_TYPES.indexOf(t));
      fanartImages.sort(
        (a, b) =>
          typeOrder(a.type) - typeOrder(b.type) || Number(b.likes) - Number(a.likes) || Number(a.id) - Number(b.id),
      );
    }

    const voted = rng.chance(0.9);
    const keywords = rng
      .sample(KEYWORDS, rng.int(0, 4))
      .map((name) => ({ id: 180_000 + KEYWORDS.indexOf(name), name }));
    if (collection && collection.parts.length > 1)
      keywords.push({ id: 180_000 + KEYWORDS.indexOf('sequel'), name: 'sequel' });
    const leadCharacter = cast[0]?.character;
    const lead =
      leadCharacter && !(CHARACTER_EXTRAS as readonly string[]).includes(leadCharacter) ? leadCharacter : 'a stranger';

    return {
      index,
      tmdbId,
      imdbId,
      title,
      originalTitle,
      originalLanguage: language,
      year,
      releaseDate,
      overview: `When ${lead} ${rng.pick(OVERVIEW_EVENTS)}, ${rng.pick(['she', 'he', 'they'])} must ${rng.pick(OVERVIEW_GOALS)}.`,
      tagline: rng.pick(TAGLINES),
      runtime: rng.int(78, 175),
      adult: anchor?.adult ?? false,
      genres,
      studios,
      countries,
      spokenLanguages: [language, ...(language !== 'en' && rng.chance(0.4) ? ['en'] : [])],
      directors,
      writers,
      cast,
      certification,
      releaseDates,
      collection,
      keywords,
      vote_average: voted ? rng.real(4.5, 8.9, 3) : 0,
      vote_count: voted ? rng.int(3, 25_000) : 0,
      popularity: rng.real(0.6, 120, 3),
      budget: rng.chance(0.6) ? rng.int(1, 200) * 1_000_000 : 0,
      revenue: rng.chance(0.5) ? rng.int(1, 900) * 1_000_000 : 0,
      posterPath,
      backdropPath,
      tmdbImages: { posters, backdrops, logos },
      fanartImages,
      searchText: `${normaliseForSearch(title)}\n${normaliseForSearch(originalTitle)}`,
    };
  }
}

interface FanartSpec {
  kind: PictureKind;
  size: readonly [number, number];
  format: 'jpeg' | 'png';
  text: 'never' | 'always' | 'lang';
  langs: ReadonlyArray<readonly [string, number]>;
}

const TEXT_LANGS: ReadonlyArray<readonly [string, number]> = [
  ['en', 70],
  ['fr', 5],
  ['de', 5],
  ['00', 12],
  ['', 8],
];
const NO_TEXT_LANGS: ReadonlyArray<readonly [string, number]> = [
  ['', 60],
  ['00', 25],
  ['en', 15],
];

/** Sizes per type follow what the service typically stores (see facts B.4). */
const FANART_SPECS: Readonly<Record<FanartTypeKey, FanartSpec>> = {
  hdmovielogo: {
    kind: 'logo',
    size: [800, 310],
    format: 'png',
    text: 'never',
    langs: [
      ['en', 85],
      ['fr', 5],
      ['de', 5],
      ['00', 5],
    ],
  },
  movielogo: {
    kind: 'logo',
    size: [400, 155],
    format: 'png',
    text: 'never',
    langs: [
      ['en', 90],
      ['00', 10],
    ],
  },
  movieposter: { kind: 'poster', size: [1000, 1426], format: 'jpeg', text: 'lang', langs: TEXT_LANGS },
  moviebackground: { kind: 'backdrop', size: [1920, 1080], format: 'jpeg', text: 'lang', langs: NO_TEXT_LANGS },
  movie4kbackground: { kind: 'backdrop', size: [3840, 2160], format: 'jpeg', text: 'lang', langs: NO_TEXT_LANGS },
  moviedisc: {
    kind: 'disc',
    size: [1000, 1000],
    format: 'png',
    text: 'never',
    langs: [
      ['en', 70],
      ['00', 20],
      ['', 10],
    ],
  },
  moviethumb: { kind: 'thumb', size: [1000, 562], format: 'jpeg', text: 'lang', langs: TEXT_LANGS },
  moviebanner: {
    kind: 'banner',
    size: [1000, 185],
    format: 'jpeg',
    text: 'always',
    langs: [
      ['en', 90],
      ['00', 10],
    ],
  },
  hdmovieclearart: {
    kind: 'clearart',
    size: [1000, 562],
    format: 'png',
    text: 'never',
    langs: [
      ['en', 80],
      ['00', 20],
    ],
  },
  movieart: { kind: 'clearart', size: [500, 281], format: 'png', text: 'never', langs: [['en', 100]] },
  moviesquare: { kind: 'square', size: [1000, 1000], format: 'jpeg', text: 'lang', langs: TEXT_LANGS },
};

/**
 * Builds the catalogue. Cheap: no image is rendered here. Movie i depends only on the seed and
 * the movies before it, so growing movieCount never changes existing movies.
 */
export function buildCatalogue(options: CatalogueOptions = {}): FakeCatalogue {
  const seed = options.seed ?? 1;
  const count = options.movieCount ?? 50;
  const b = new Builder(seed, (options.fanartAssetOrigin ?? 'https://assets.fanart.tv').replace(/\/+$/, ''));
  const movies: FakeMovie[] = [];
  for (let i = 0; i < count; i++) movies.push(b.movie(i));

  const byTmdb = new Map(movies.map((m) => [m.tmdbId, m]));
  const byImdb = new Map(movies.map((m) => [m.imdbId, m]));
  const collectionsById = new Map([...b.collections.values()].map((c) => [c.id, c]));
  const tmdbByFile = new Map<string, FakeTmdbImage>();
  for (const m of movies)
    for (const img of [...m.tmdbImages.posters, ...m.tmdbImages.backdrops, ...m.tmdbImages.logos])
      tmdbByFile.set(img.file_path, img);

  return {
    seed,
    movies,
    byTmdbId: (id) => byTmdb.get(typeof id === 'number' ? id : Number(id)),
    byImdbId: (id) => byImdb.get(id),
    collection: (id) => collectionsById.get(typeof id === 'number' ? id : Number(id)),
    tmdbImageByFile: (file) => b.tmdbFiles.get(file.replace(/^\/+/, '').replace(/\.[a-z]+$/i, '')),
    fanartImageByPath: (path) => b.fanartPaths.get(path.replace(/^\/+/, '')),
    duplicatePairs: () =>
      movies.flatMap((m) =>
        m.fanartImages.flatMap((f) => {
          const tmdb = f.sameAsTmdb ? tmdbByFile.get(f.sameAsTmdb.file_path) : undefined;
          return tmdb && f.sameAsTmdb
            ? [{ tmdbId: m.tmdbId, pictureId: f.pictureId, tmdb, fanart: f, exact: f.sameAsTmdb.exact }]
            : [];
        }),
      ),
  };
}
