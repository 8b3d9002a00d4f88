import { z } from 'zod';
import type { SettingsStore } from '../config/settings-store.ts';
import type { Logger } from '../log.ts';
import { FANART_MOVIE_KEYS, FANART_TEXTLESS_ALSO_AS } from './asset-map.ts';
import { asProviderError, badShape, errorFromResponse, notJson, ProviderError } from './errors.ts';
import type { HttpClient, JsonResponse } from './http.ts';
import { normalizeLanguage } from './language.ts';
import { numeric, optionalNumber, optionalText, parseLeniently, softList, type Parsed } from './parse.ts';
import type { ArtProvider, CandidateBatch, FetchOptions, MovieRef, ProviderCandidate } from './provider.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One Fanart.tv image. Every field arrives as a string, numbers included. */
const fanartImageSchema = z.object({
  id: numeric.pipe(z.number().int().nonnegative()).transform(String),
  url: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL'),
  lang: z.unknown().optional(),
  likes: optionalNumber('likes'),
  width: optionalNumber('width'),
  height: optionalNumber('height'),
  disc: optionalText('disc'),
  disc_type: optionalText('disc_type'),
  added: optionalText('added'),
});

type FanartImage = z.output<typeof fanartImageSchema>;

/** Only the keys we map are read; new keys Fanart.tv adds are ignored (they are not errors). */
const fanartMovieSchema = z.object(
  Object.fromEntries(
    Object.keys(FANART_MOVIE_KEYS).map((key) => [key, softList(fanartImageSchema, key).optional()]),
  ) as Record<string, z.ZodType>,
);

export type FanartMovie = Record<string, FanartImage[] | null | undefined>;

/** A Fanart.tv movie answer read leniently: known keys only, bad entries dropped and noted. */
export function parseFanartMovie(body: unknown): Parsed<FanartMovie | null> {
  return parseLeniently(fanartMovieSchema, body) as Parsed<FanartMovie | null>;
}

/**
 * Fanart.tv's answer as candidates: HD and SD keys of a type become one type with HD first (its
 * nominal size is larger, so scoring prefers it too); sizes from v3.2 fields, else the type's
 * standard size; "00"/"" = no language; textless posters are offered as keyart too.
 */
export function fanartCandidates(movie: FanartMovie): ProviderCandidate[] {
  const out: ProviderCandidate[] = [];
  const keys = Object.keys(FANART_MOVIE_KEYS).sort(
    (a, b) => Number(FANART_MOVIE_KEYS[b]!.hd) - Number(FANART_MOVIE_KEYS[a]!.hd),
  );
  for (const key of keys) {
    const spec = FANART_MOVIE_KEYS[key]!;
    for (const img of movie[key] ?? []) {
      const language = normalizeLanguage(img.lang);
      const sized = img.width !== null && img.height !== null && img.width > 0 && img.height > 0;
      const base: ProviderCandidate = {
        assetType: spec.type,
        provider: 'fanart',
        providerImageId: img.id,
        url: img.url,
        previewUrl: img.url.includes('/fanart/') ? img.url.replace('/fanart/', '/preview/') : null,
        width: sized ? img.width : spec.width,
        height: sized ? img.height : spec.height,
        language,
        voteAverage: null,
        voteCount: null,
        likes: img.likes,
        extra: {
          key,
          hd: spec.hd,
          sizeFrom: sized ? 'provider' : 'nominal',
          ...(img.disc ? { disc: img.disc } : {}),
          ...(img.disc_type ? { discType: img.disc_type } : {}),
          ...(img.added ? { added: img.added } : {}),
        },
      };
      out.push(base);
      const alsoAs = FANART_TEXTLESS_ALSO_AS[key];
      if (alsoAs && language === null)
        out.push({ ...base, assetType: alsoAs, extra: { ...base.extra, textlessPoster: true } });
    }
  }
  return out;
}

export interface FanartDeps {
  http: HttpClient;
  settings: Pick<SettingsStore, 'get'>;
  log: Logger;
  /** A key to try instead of the saved one; its answers skip the response cache (see TmdbDeps.apiKey). */
  apiKey?: string;
}

/** Fanart.tv v3 movies, by TMDB id. */
export class FanartClient {
  readonly #d: FanartDeps;

  constructor(deps: FanartDeps) {
    this.#d = deps;
  }

  configured(): boolean {
    return this.#key() !== '';
  }

  #key(): string {
    return (this.#d.apiKey ?? this.#d.settings.get('fanart.apiKey')).trim();
  }

  /** The movie's art by TMDB id (or IMDb id); empty when Fanart.tv has none (404 is the normal "nothing"). */
  async movie(id: number | string, options: FetchOptions = {}): Promise<Parsed<FanartMovie>> {
    const key = this.#key();
    if (!key)
      throw new ProviderError(
        'fanart',
        'not_configured',
        'No Fanart.tv API key is set: set fanart.apiKey (or POSTERITY_FANART_API_KEY).',
      );
    const query = new URLSearchParams({ api_key: key });
    const clientKey = this.#d.settings.get('fanart.clientKey').trim();
    if (clientKey) query.set('client_key', clientKey);
    const url = `${this.#d.settings.get('fanart.baseUrl').replace(/\/+$/, '')}/movies/${encodeURIComponent(String(id))}?${query.toString()}`;
    let parsed: Parsed<FanartMovie | null> | null = null;
    const parse = (res: JsonResponse) => (parsed ??= parseFanartMovie(res.body));
    let res: JsonResponse;
    try {
      res = await this.#d.http.getJson(url, {
        budget: 'fanart',
        signal: options.signal,
        cacheTtlMs: this.#d.apiKey === undefined ? this.#d.settings.get('providers.cacheTtlDays') * DAY_MS : 0,
        freshAfter: options.freshAfter,
        cacheable: (r) =>
          r.status === 404 ||
          (r.status === 200 && r.body !== undefined && (isMiss(r.body) || parse(r).problems.length === 0)),
      });
    } catch (err) {
      throw asProviderError('fanart', err);
    }
    // "Not found" (404, or historically a 200 with status "error") means: no art, not a failure.
    if (res.status === 404 && isMiss(res.body)) return { value: {}, problems: [] };
    if (res.status !== 200) throw errorFromResponse('fanart', res, this.#d.apiKey !== undefined);
    if (res.body === undefined) throw notJson('fanart', res);
    if (isMiss(res.body)) return { value: {}, problems: [] };
    const result = parse(res);
    if (!result.value) throw badShape('fanart', 'the movie art', result.problems);
    if (result.problems.length > 0)
      this.#d.log.warn('Fanart.tv sent parts of an answer in an unexpected form', {
        id,
        problems: result.problems.slice(0, 5),
      });
    return result as Parsed<FanartMovie>;
  }
}

function isMiss(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as Record<string, unknown>).status === 'error';
}

/** Fanart.tv as an artwork source. */
export function fanartArtProvider(fanart: FanartClient): ArtProvider {
  return {
    id: 'fanart',
    label: 'Fanart.tv',
    // Fanart.tv also knows movies by IMDb id, which keeps it useful while TMDB is down.
    supports: (ref: MovieRef) => fanart.configured() && (ref.tmdbId !== null || ref.imdbId !== null),
    async fetchCandidates(ref, options): Promise<CandidateBatch> {
      const movie = await fanart.movie(ref.tmdbId ?? ref.imdbId!, options);
      return {
        candidates: fanartCandidates(movie.value),
        complete: movie.problems.length === 0,
        problems: movie.problems,
      };
    },
  };
}
