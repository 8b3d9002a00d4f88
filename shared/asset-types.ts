/**
 * Every artwork type Posterity manages, as one table. Scoring, auto-select, the naming table,
 * the scanner and the UI all read their per-type facts from here.
 */
export const ASSET_TYPES = [
  'poster',
  'fanart',
  'clearlogo',
  'clearart',
  'discart',
  'banner',
  'landscape',
  'keyart',
  'characterart',
] as const;

export type AssetType = (typeof ASSET_TYPES)[number];

/**
 * How a type treats language:
 * - `textless`: the picture should carry no text, so "no language" is best (fanart, keyart…);
 * - `localized`: the picture carries a title, so the user's languages come first, then English,
 *   then no language.
 */
export type LanguageRule = 'textless' | 'localized';

export interface AssetTypeSpec {
  type: AssetType;
  label: string;
  /** Ideal pixel size; resolution points are earned in steps up to it. */
  ideal: { width: number; height: number };
  /** Below this size a candidate is penalised and never auto-selected. */
  minimum: { width: number; height: number };
  /** Width / height of the ideal shape. */
  aspect: number;
  /** How many images auto-select keeps (ranks 0..count-1); fanart's extra ranks are extra fanart. */
  defaultCount: number;
  /** The most the user may ask to keep. */
  maxCount: number;
  language: LanguageRule;
  /** Whether transparency matters: transparent types are published as PNG. */
  transparent: boolean;
  /** Hamming distance (of 256 bits) at or under which two candidates are the same picture. */
  lookAlikeThreshold: number;
}

export const ASSET_TYPE_SPECS: Readonly<Record<AssetType, AssetTypeSpec>> = {
  poster: {
    type: 'poster', label: 'Poster',
    ideal: { width: 1000, height: 1500 }, minimum: { width: 500, height: 750 }, aspect: 2 / 3,
    defaultCount: 1, maxCount: 10, language: 'localized', transparent: false, lookAlikeThreshold: 8,
  },
  fanart: {
    type: 'fanart', label: 'Fanart',
    ideal: { width: 1920, height: 1080 }, minimum: { width: 1280, height: 720 }, aspect: 16 / 9,
    defaultCount: 1, maxCount: 20, language: 'textless', transparent: false, lookAlikeThreshold: 8,
  },
  clearlogo: {
    type: 'clearlogo', label: 'Clear logo',
    ideal: { width: 800, height: 310 }, minimum: { width: 400, height: 155 }, aspect: 800 / 310,
    defaultCount: 1, maxCount: 3, language: 'localized', transparent: true, lookAlikeThreshold: 10,
  },
  clearart: {
    type: 'clearart', label: 'Clear art',
    ideal: { width: 1000, height: 562 }, minimum: { width: 500, height: 281 }, aspect: 1000 / 562,
    defaultCount: 1, maxCount: 3, language: 'localized', transparent: true, lookAlikeThreshold: 10,
  },
  discart: {
    type: 'discart', label: 'Disc art',
    ideal: { width: 1000, height: 1000 }, minimum: { width: 500, height: 500 }, aspect: 1,
    defaultCount: 1, maxCount: 5, language: 'localized', transparent: true, lookAlikeThreshold: 10,
  },
  banner: {
    type: 'banner', label: 'Banner',
    ideal: { width: 1000, height: 185 }, minimum: { width: 500, height: 92 }, aspect: 1000 / 185,
    defaultCount: 1, maxCount: 3, language: 'localized', transparent: false, lookAlikeThreshold: 8,
  },
  landscape: {
    type: 'landscape', label: 'Landscape',
    ideal: { width: 1000, height: 562 }, minimum: { width: 500, height: 281 }, aspect: 16 / 9,
    defaultCount: 1, maxCount: 3, language: 'textless', transparent: false, lookAlikeThreshold: 8,
  },
  keyart: {
    type: 'keyart', label: 'Key art',
    ideal: { width: 1000, height: 1500 }, minimum: { width: 500, height: 750 }, aspect: 2 / 3,
    defaultCount: 1, maxCount: 3, language: 'textless', transparent: false, lookAlikeThreshold: 8,
  },
  characterart: {
    type: 'characterart', label: 'Character art',
    ideal: { width: 512, height: 512 }, minimum: { width: 256, height: 256 }, aspect: 1,
    defaultCount: 1, maxCount: 3, language: 'textless', transparent: true, lookAlikeThreshold: 10,
  },
};

export function isAssetType(value: string): value is AssetType {
  return (ASSET_TYPES as readonly string[]).includes(value);
}
