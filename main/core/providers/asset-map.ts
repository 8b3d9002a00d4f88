import type { AssetType } from '../../../shared/asset-types.ts';

/**
 * Provider categories → our asset types, as data. Anything a provider sends that is not listed
 * here is ignored (Fanart.tv adds keys without notice).
 */

/** TMDB image lists, the size list /configuration gives for them, and the preview size. */
export const TMDB_IMAGE_KINDS = {
  posters: { type: 'poster', sizes: 'poster_sizes', preview: 'w342' },
  backdrops: { type: 'fanart', sizes: 'backdrop_sizes', preview: 'w300' },
  logos: { type: 'clearlogo', sizes: 'logo_sizes', preview: 'w300' },
} as const satisfies Record<string, { type: AssetType; sizes: string; preview: string }>;

export type TmdbImageKind = keyof typeof TMDB_IMAGE_KINDS;
export const TMDB_IMAGE_KIND_NAMES = Object.keys(TMDB_IMAGE_KINDS) as TmdbImageKind[];

/**
 * TMDB logos come at any size, some 32000 px wide (more pixels than an image decoder accepts).
 * Past this width the full URL asks for the largest resized rendition instead of `original`.
 */
export const TMDB_LOGO_MAX_ORIGINAL_WIDTH = 4000;

export interface FanartKeySpec {
  type: AssetType;
  /** HD and SD keys of one type become one type; HD is listed first and is larger. */
  hd: boolean;
  /** Size when the answer does not say (v3 and v3.1 carry no dimensions). */
  width: number;
  height: number;
}

/** Fanart.tv v3 movie keys. Sizes: the per-type standards Fanart.tv enforces on upload. */
export const FANART_MOVIE_KEYS: Readonly<Record<string, FanartKeySpec>> = {
  hdmovielogo: { type: 'clearlogo', hd: true, width: 800, height: 310 },
  movielogo: { type: 'clearlogo', hd: false, width: 400, height: 155 },
  movieposter: { type: 'poster', hd: true, width: 1000, height: 1426 },
  movie4kbackground: { type: 'fanart', hd: true, width: 3840, height: 2160 },
  moviebackground: { type: 'fanart', hd: false, width: 1920, height: 1080 },
  moviedisc: { type: 'discart', hd: true, width: 1000, height: 1000 },
  moviethumb: { type: 'landscape', hd: true, width: 1000, height: 562 },
  moviebanner: { type: 'banner', hd: true, width: 1000, height: 185 },
  hdmovieclearart: { type: 'clearart', hd: true, width: 1000, height: 562 },
  movieart: { type: 'clearart', hd: false, width: 500, height: 281 },
};

/**
 * Fanart.tv textless posters (lang "00") are also offered as keyart: Fanart.tv moderates the
 * language tag, so "00" really means no text, which is what keyart is. TMDB's language-less
 * posters are not: many carry a title and were simply never tagged.
 */
export const FANART_TEXTLESS_ALSO_AS: Readonly<Record<string, AssetType>> = {
  movieposter: 'keyart',
};
