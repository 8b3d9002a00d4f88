import { z } from 'zod';
import { numeric, optionalNumber, optionalText, soft, softList } from './parse.ts';

/*
 * TMDB v3 answers as we read them: lenient per part (see parse.ts), strict only on what nothing
 * works without (a movie's id, the image base URL). Numeric strings are accepted as numbers.
 */

const positiveId = numeric.pipe(z.number().int().positive());

export const tmdbImageSchema = z.object({
  file_path: z.string().regex(/^\/[^/?#]+$/, 'a file path such as "/abc.jpg"'),
  width: numeric.pipe(z.number().int().positive()),
  height: numeric.pipe(z.number().int().positive()),
  iso_639_1: z.unknown().optional(),
  iso_3166_1: z.unknown().optional(),
  vote_average: optionalNumber('vote_average'),
  vote_count: optionalNumber('vote_count'),
  file_type: optionalText('file_type'),
});

export const tmdbImagesSchema = z.object({
  posters: softList(tmdbImageSchema, 'posters'),
  backdrops: softList(tmdbImageSchema, 'backdrops'),
  logos: softList(tmdbImageSchema, 'logos'),
});

export const tmdbSearchResultSchema = z.object({
  id: positiveId,
  title: optionalText('title'),
  original_title: optionalText('original_title'),
  release_date: optionalText('release_date'),
  overview: optionalText('overview'),
  poster_path: optionalText('poster_path'),
  popularity: optionalNumber('popularity'),
});

export const tmdbSearchSchema = z.object({ results: softList(tmdbSearchResultSchema, 'results') });

export const tmdbFindSchema = z.object({ movie_results: softList(tmdbSearchResultSchema, 'movie_results') });

const named = z.object({ name: z.string().min(1) });

const castSchema = z.object({
  id: positiveId.nullish(),
  name: z.string().min(1),
  character: optionalText('character'),
  order: optionalNumber('order'),
  profile_path: optionalText('profile_path'),
});

const crewSchema = z.object({
  name: z.string().min(1),
  job: optionalText('job'),
  department: optionalText('department'),
});

const releaseDatesSchema = z.object({
  results: softList(
    z.object({
      iso_3166_1: z.string(),
      release_dates: softList(
        z.object({ certification: optionalText('certification'), type: optionalNumber('type') }),
        'release_dates',
      ),
    }),
    'release_dates.results',
  ),
});

export const tmdbMovieSchema = z.object({
  id: positiveId,
  imdb_id: optionalText('imdb_id'),
  title: optionalText('title'),
  original_title: optionalText('original_title'),
  overview: optionalText('overview'),
  tagline: optionalText('tagline'),
  release_date: optionalText('release_date'),
  runtime: optionalNumber('runtime'),
  vote_average: optionalNumber('vote_average'),
  vote_count: optionalNumber('vote_count'),
  genres: softList(named, 'genres'),
  production_companies: softList(named, 'production_companies'),
  production_countries: softList(named, 'production_countries'),
  belongs_to_collection: soft(z.object({ name: z.string().min(1) }).nullish(), null, 'belongs_to_collection'),
  external_ids: soft(z.object({ imdb_id: z.string().nullish() }).nullish(), null, 'external_ids'),
  credits: soft(
    z.object({ cast: softList(castSchema, 'credits.cast'), crew: softList(crewSchema, 'credits.crew') }).nullish(),
    null,
    'credits',
  ),
  release_dates: soft(releaseDatesSchema.nullish(), null, 'release_dates'),
  images: soft(tmdbImagesSchema.nullish(), null, 'images'),
});

const sizeList = (what: string) => soft(z.array(z.string().regex(/^(w\d+|h\d+|original)$/)), ['original'], what);

export const tmdbConfigurationSchema = z.object({
  images: z.object({
    secure_base_url: z.string().regex(/^https?:\/\//, 'an http(s) URL'),
    poster_sizes: sizeList('poster_sizes'),
    backdrop_sizes: sizeList('backdrop_sizes'),
    logo_sizes: sizeList('logo_sizes'),
    profile_sizes: sizeList('profile_sizes'),
  }),
});

export type TmdbImage = z.output<typeof tmdbImageSchema>;
export type TmdbImages = z.output<typeof tmdbImagesSchema>;
export type TmdbSearchResult = z.output<typeof tmdbSearchResultSchema>;
export type TmdbMovie = z.output<typeof tmdbMovieSchema>;
export type TmdbConfiguration = z.output<typeof tmdbConfigurationSchema>;
export type TmdbImageConfig = TmdbConfiguration['images'];
