import type { AssetType, LanguageRule } from './asset-types.ts';

/*
 * The artwork score as data: what each factor is worth and the constants of its rule. The engine's
 * scorer (main/core/select/score.ts) reads only these tables; the UI reads them to draw the
 * breakdown bars; docs/SCORING.md explains them. Change a number here, nowhere else.
 */

/** The factors of a score, in the order the breakdown lists them. */
export const SCORE_FACTORS = ['language', 'resolution', 'aspect', 'community', 'provider'] as const;
export type ScoreFactor = (typeof SCORE_FACTORS)[number];

/** The most points each factor can give; they add up to 100. */
export const SCORE_MAX: Readonly<Record<ScoreFactor, number>> = {
  language: 50,
  resolution: 20,
  aspect: 10,
  community: 15,
  provider: 5,
};

/** One line of a score's breakdown, shown beside the picture in the picker. */
export interface ScoreLine {
  factor: ScoreFactor;
  /** Points earned; negative for a penalty (an image below the type's minimum). */
  points: number;
  max: number;
  /** Why, in words a user reads ("French, your first language"). */
  reason: string;
}

/** A candidate's score: 0–100, the sum of its breakdown clamped to that range. */
export interface ScoreResult {
  score: number;
  breakdown: ScoreLine[];
  /** Known to be smaller than the type's minimum: shown, never auto-selected. */
  belowMinimum: boolean;
}

/**
 * Language points per rule. `localized` types carry a title, so the user's languages come first,
 * in the user's order (a step between two listed languages outweighs the whole community
 * factor, so popularity never reorders them), then English, then no language, then anything else.
 * `textless` types should carry no text at all; among pictures with text, the user's languages
 * still beat foreign ones.
 */
export interface LanguagePoints {
  /** The user's first language. */
  preferredFirst: number;
  /** Taken off for each later position in the user's list. */
  preferredStep: number;
  /** The least a language in the user's list earns. */
  preferredFloor: number;
  /** English, when it is not in the user's list. */
  english: number;
  /** No language (textless). */
  none: number;
  /** Any other language. */
  other: number;
  /** Taken off when the base language matches but the region differs (fr-CA for fr-FR). */
  regionMismatch: number;
}

export const LANGUAGE_POINTS: Readonly<Record<LanguageRule, LanguagePoints>> = {
  localized: { preferredFirst: 50, preferredStep: 8, preferredFloor: 30, english: 28, none: 18, other: 0, regionMismatch: 3 },
  textless: { preferredFirst: 18, preferredStep: 1, preferredFloor: 14, english: 14, none: 50, other: 0, regionMismatch: 1 },
};

/**
 * Resolution: the scale of the image against the type's ideal is cut into `steps` equal steps
 * between the minimum and the ideal, so near-equal sizes tie and the community decides; at the
 * minimum an image earns `floorShare` of the points, from `nearIdeal` of the ideal's scale up
 * all of them (providers crop a few pixels: Fanart.tv posters are 1000×1426, not 1000×1500).
 * Bigger than the ideal earns nothing more: a 4K backdrop is not twice as good on a TV.
 */
export const RESOLUTION_RULE = {
  steps: 5,
  floorShare: 0.3,
  nearIdeal: 0.9,
  /** Points for an image known to be below the type's minimum: the factor's maximum, negated. */
  belowMinimumPoints: -20,
  /** Share of the points when the provider did not say the size. */
  unknownShare: 0.5,
} as const;

/**
 * Aspect fit: the deviation of width/height from the type's ideal aspect, as |ln(actual/ideal)|
 * (symmetric: twice too wide is as far off as twice too narrow; about the relative deviation
 * for small ones, 0.05 ≈ 5%). Full points up to `full`, none from `zero`, linear between. Logos and clear art follow the shape of a title,
 * so they are judged loosely; a poster cropped to a backdrop shape is not.
 */
export interface AspectTolerance {
  full: number;
  zero: number;
}

const STRICT_ASPECT: AspectTolerance = { full: 0.02, zero: 0.15 };
/** Posters come at 2:3 (TMDB) and 1000×1426 (Fanart.tv, 5% narrower): both are proper posters. */
const POSTER_ASPECT: AspectTolerance = { full: 0.06, zero: 0.25 };

export const ASPECT_TOLERANCE: Readonly<Record<AssetType, AspectTolerance>> = {
  poster: POSTER_ASPECT,
  keyart: POSTER_ASPECT,
  fanart: STRICT_ASPECT,
  landscape: STRICT_ASPECT,
  banner: { full: 0.05, zero: 0.3 },
  discart: { full: 0.02, zero: 0.1 },
  clearart: { full: 0.1, zero: 0.6 },
  characterart: { full: 0.15, zero: 0.6 },
  clearlogo: { full: 0.5, zero: 1.5 },
};

/**
 * Which dimensions the minimum applies to: `both`, or only `width` for types whose height
 * follows the shape of a title (a wide logo is short, not small).
 */
export const MINIMUM_BY: Readonly<Record<AssetType, 'both' | 'width'>> = {
  poster: 'both',
  fanart: 'both',
  keyart: 'both',
  landscape: 'both',
  banner: 'both',
  discart: 'both',
  characterart: 'both',
  clearart: 'width',
  clearlogo: 'width',
};

/**
 * Community signal, brought to one 0–10 rating across providers before it becomes points.
 * TMDB: the vote average shrunk towards `neutral` by `tmdbPriorVotes` imaginary neutral votes
 * (one 10/10 vote is not a consensus), then stretched around 5 by `tmdbStretch` because TMDB
 * image averages crowd between 5 and 6. Fanart.tv: likes on a log scale, `neutral` at 0 likes
 * and 10 at `fanartLikesForTop`. No signal at all is `neutral`, not zero: new art is not bad art.
 */
export const COMMUNITY_RULE = {
  neutral: 5,
  tmdbPriorVotes: 3,
  tmdbStretch: 2,
  fanartLikesForTop: 60,
} as const;

/** Points by position in the `providers.preference` setting; later positions earn nothing. */
export const PROVIDER_POINTS: readonly number[] = [5, 2];
