import type { z } from 'zod';
import type { SettingsStore } from '../config/settings-store.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { asProviderError, badShape, errorFromResponse, notJson, ProviderError } from './errors.ts';
import type { HttpClient, JsonResponse } from './http.ts';
import { parseLeniently, type Parsed } from './parse.ts';
import type { ArtProvider, CandidateBatch, FetchOptions, MovieRef } from './provider.ts';
import { tmdbCandidates } from './tmdb-images.ts';
import {
  tmdbConfigurationSchema,
  tmdbFindSchema,
  tmdbImagesSchema,
  tmdbMovieSchema,
  tmdbSearchSchema,
  type TmdbImageConfig,
  type TmdbImages,
  type TmdbMovie,
  type TmdbSearchResult,
} from './tmdb-schemas.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Sub-resources of the details call; `images` only when the metadata language is English (see below). */
const DETAIL_APPENDS = ['external_ids', 'credits', 'release_dates'];
/** /configuration changes rarely; TMDB asks clients to refresh it every few days. */
const CONFIG_MEMO_MS = 60 * 60 * 1000;

export interface TmdbDeps {
  http: HttpClient;
  settings: Pick<SettingsStore, 'get'>;
  clock: Clock;
  log: Logger;
  /**
   * A key to try instead of the saved one (typed but not saved yet). Its answers skip the
   * response cache: the cache is keyed without credentials, so the saved key's answer would pass
   * for this key, and a trial must leave nothing behind.
   */
  apiKey?: string;
}

/**
 * TMDB v3 for movies: configuration, find by IMDb id, search, details and images. Answers are
 * cached (providers.cacheTtlDays) and read leniently; failures are `ProviderError`s whose message
 * a user can act on (a refused key says so).
 */
export class TmdbClient {
  readonly #d: TmdbDeps;
  #config: { base: string; at: number; value: Promise<TmdbImageConfig> } | null = null;

  constructor(deps: TmdbDeps) {
    this.#d = deps;
  }

  configured(): boolean {
    return this.#key() !== '';
  }

  #key(): string {
    return (this.#d.apiKey ?? this.#d.settings.get('tmdb.apiKey')).trim();
  }

  /** The metadata language TMDB is asked for, e.g. "en" or "fr-CA". */
  language(): string {
    return this.#d.settings.get('languages')[0] ?? 'en';
  }

  /**
   * With `language` set, TMDB also filters appended images to that language (and there is no way
   * to say "all"). In English the default answer is already English, so one details call brings
   * every image; in other languages the images come from a separate, unfiltered call.
   */
  #englishMetadata(): boolean {
    return this.language().split('-')[0] === 'en';
  }

  /** Image base URL and sizes, cached: never a hard-coded image host. */
  configuration(options: FetchOptions = {}): Promise<TmdbImageConfig> {
    const base = this.#d.settings.get('tmdb.baseUrl');
    const now = this.#d.clock.now();
    const memo = this.#config;
    if (memo && memo.base === base && now - memo.at < CONFIG_MEMO_MS && options.freshAfter === undefined)
      return memo.value;
    const value = this.#get('/configuration', {}, options, 'the configuration', tmdbConfigurationSchema).then(
      (parsed) => parsed.value.images,
    );
    this.#config = { base, at: now, value };
    value.catch(() => {
      if (this.#config?.value === value) this.#config = null;
    });
    return value;
  }

  /** The movie with this IMDb id, or null. */
  async findByImdb(imdbId: string, options: FetchOptions = {}): Promise<TmdbSearchResult | null> {
    const parsed = await this.#get(
      `/find/${encodeURIComponent(imdbId)}`,
      { external_source: 'imdb_id' },
      options,
      'a find answer',
      tmdbFindSchema,
    );
    return parsed.value.movie_results?.[0] ?? null;
  }

  /** The first page of a title search, TMDB's order. */
  async searchMovies(query: string, year: number | null, options: FetchOptions = {}): Promise<TmdbSearchResult[]> {
    const params: Record<string, string> = { query, include_adult: 'false', page: '1' };
    if (year !== null) params.year = String(year);
    if (!this.#englishMetadata()) params.language = this.language();
    const parsed = await this.#get('/search/movie', params, options, 'search results', tmdbSearchSchema);
    return parsed.value.results ?? [];
  }

  /** Details with ids, credits and certifications (and, in English, every image). 404 → ProviderError not_found. */
  async movie(tmdbId: number, options: FetchOptions = {}): Promise<Parsed<TmdbMovie>> {
    const english = this.#englishMetadata();
    const params: Record<string, string> = {
      append_to_response: [...DETAIL_APPENDS, ...(english ? ['images'] : [])].join(','),
    };
    if (!english) params.language = this.language();
    return this.#get(`/movie/${tmdbId}`, params, options, 'movie details', tmdbMovieSchema);
  }

  /** Every image of the movie, in every language. */
  async images(tmdbId: number, options: FetchOptions = {}): Promise<Parsed<TmdbImages>> {
    if (this.#englishMetadata()) {
      const details = await this.movie(tmdbId, options);
      if (details.value.images) return { value: details.value.images, problems: details.problems };
      return {
        value: { posters: null, backdrops: null, logos: null },
        problems: [...details.problems, 'images: missing from the details'],
      };
    }
    return this.#get(`/movie/${tmdbId}/images`, {}, options, 'the image list', tmdbImagesSchema);
  }

  async #get<S extends z.ZodType>(
    path: string,
    params: Record<string, string>,
    options: FetchOptions,
    what: string,
    schema: S,
  ): Promise<Parsed<NonNullable<z.output<S>>>> {
    const key = this.#key();
    if (!key) {
      throw new ProviderError(
        'tmdb',
        'not_configured',
        'No TMDB API key is set: set tmdb.apiKey (or POSTERITY_TMDB_API_KEY).',
      );
    }
    // A v4 read access token (a JWT) goes in the header; a v3 key in the query string.
    const bearer = key.startsWith('eyJ') && key.length > 40;
    const query = new URLSearchParams(params);
    if (!bearer) query.set('api_key', key);
    const url = `${this.#d.settings.get('tmdb.baseUrl').replace(/\/+$/, '')}${path}?${query.toString()}`;
    let parsed: Parsed<z.output<S> | null> | null = null;
    const parse = (res: JsonResponse) => (parsed ??= parseLeniently(schema, res.body));
    let res: JsonResponse;
    try {
      res = await this.#d.http.getJson(url, {
        budget: 'tmdb',
        signal: options.signal,
        headers: bearer ? { authorization: `Bearer ${key}` } : undefined,
        cacheTtlMs: this.#d.apiKey === undefined ? this.#d.settings.get('providers.cacheTtlDays') * DAY_MS : 0,
        freshAfter: options.freshAfter,
        // Only a whole, well-formed answer (or a definite "not found") is worth reusing.
        cacheable: (r) =>
          r.status === 404 || (r.status === 200 && r.body !== undefined && parse(r).problems.length === 0),
      });
    } catch (err) {
      throw asProviderError('tmdb', err);
    }
    if (res.status !== 200) throw errorFromResponse('tmdb', res, this.#d.apiKey !== undefined);
    if (res.body === undefined) throw notJson('tmdb', res);
    const result: Parsed<z.output<S> | null> = parse(res);
    if (result.value === null || result.value === undefined) throw badShape('tmdb', what, result.problems);
    if (result.problems.length > 0)
      this.#d.log.warn(`TMDB sent parts of ${what} in an unexpected form`, {
        path,
        problems: result.problems.slice(0, 5),
      });
    return result as Parsed<NonNullable<z.output<S>>>;
  }
}

/** TMDB as an artwork source: posters, backdrops and logos in every language. */
export function tmdbArtProvider(tmdb: TmdbClient): ArtProvider {
  return {
    id: 'tmdb',
    label: 'TMDB',
    supports: (ref: MovieRef) => tmdb.configured() && ref.tmdbId !== null,
    async fetchCandidates(ref, options): Promise<CandidateBatch> {
      if (ref.tmdbId === null) return { candidates: [], complete: false, problems: ['no TMDB id'] };
      const [config, images] = await Promise.all([tmdb.configuration(options), tmdb.images(ref.tmdbId, options)]);
      return {
        candidates: tmdbCandidates(images.value, config),
        complete: images.problems.length === 0,
        problems: images.problems,
      };
    },
  };
}
