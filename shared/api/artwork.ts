import { z } from 'zod';
import { ASSET_TYPES, type AssetType } from '../asset-types.ts';
import { FIELD_DEFS, type FieldKind, type FieldName, type ItemFields } from '../fields.ts';
import type { ScoreLine } from '../scoring.ts';
import { method, type MethodSpec } from './define.ts';

/** Who filled a slot: auto-select, the user, or the scanner (a file that was already there). */
export type SlotChooser = 'auto' | 'user' | 'original';

/** One chosen image of an item: the `slots` table, the one truth of what is selected. */
export interface Slot {
  itemId: number;
  type: AssetType;
  /** 0 = the image; 1.. = extra images of the type (extra fanart). */
  rank: number;
  /** The chosen image in the cache; null while not downloaded yet. */
  blobSha: string | null;
  candidateId: number | null;
  /** For originals: the library file it came from. */
  libraryFileId: number | null;
  chosenBy: SlotChooser;
  /** Automation never changes a locked slot. */
  locked: boolean;
  updatedAt: number;
}

/** A slot as the picker shows it. */
export interface SlotView extends Slot {
  width: number | null;
  height: number | null;
  provider: string | null;
  /** The image is in the cache (or, for an original, in the library). */
  downloaded: boolean;
  /** For an original: its path in the library. */
  path: string | null;
}

/** One provider image offered for a slot, scored. */
export interface CandidateView {
  id: number;
  type: AssetType;
  provider: string;
  providerImageId: string;
  url: string;
  previewUrl: string | null;
  /** The preview in the cache's preview area (shown offline); null when not fetched. */
  previewSha: string | null;
  width: number | null;
  height: number | null;
  language: string | null;
  score: number;
  breakdown: ScoreLine[];
  /** Smaller than the type's minimum: never auto-selected. */
  belowMinimum: boolean;
  blocked: boolean;
  /** The provider no longer lists it. */
  gone: boolean;
  /** Why it has no perceptual hash ("no hash"): it is scored but not grouped with look-alikes. */
  hashError: string | null;
  /** The full image in the cache, once downloaded. */
  blobSha: string | null;
  downloadError: string | null;
  /** Ranks of this type's slots that hold it. */
  selectedRanks: number[];
}

/** Look-alike candidates (the same picture at other sizes or from other providers) as one entry. */
export interface ClusterView {
  /** Id of the best-scored member. */
  id: number;
  /** The member to show and choose by default. */
  best: CandidateView;
  /** The other members: "also on fanart, 1000×1426". */
  alsoOn: CandidateView[];
  /** The picture is one the user already has in the library. */
  matchesOriginal: boolean;
  originals: { libraryFileId: number; path: string }[];
  /** Ranks of this type's slots holding any member. */
  selectedRanks: number[];
}

/** A file of the item that was in the library before Posterity (origin 'original'). */
export interface OriginalView {
  libraryFileId: number;
  path: string;
  rank: number | null;
  width: number | null;
  height: number | null;
  hashed: boolean;
}

export interface ArtworkTypeView {
  type: AssetType;
  label: string;
  /** How many images auto-select keeps for this type. */
  count: number;
  /** Hamming distance at or under which two images count as the same picture. */
  lookAlikeThreshold: number;
  slots: SlotView[];
  /** Best first. */
  clusters: ClusterView[];
  originals: OriginalView[];
}

/** Everything the picker needs for one item. */
export interface ItemArtwork {
  itemId: number;
  title: string;
  monitored: boolean;
  /**
   * Candidates whose preview has not been fetched (nor failed) yet: they are scored but not
   * grouped; `artwork-rescore` fetches them.
   */
  previewsPending: number;
  types: ArtworkTypeView[];
}

export interface SelectResult {
  slot: SlotView;
  /** The full image is in the cache. */
  downloaded: boolean;
  /** Why the download failed; the choice is kept and the download retried later. */
  downloadError: string | null;
}

export interface LockResult {
  itemId: number;
  type: AssetType;
  /** Slots whose lock changed. */
  changed: number;
  slots: SlotView[];
}

export interface BlockResult {
  candidateId: number;
  itemId: number;
  blocked: boolean;
  /** Automatic choices that held the candidate and were emptied. */
  clearedSlots: { type: AssetType; rank: number }[];
}

export interface FieldResult {
  itemId: number;
  field: FieldName;
  value: ItemFields[FieldName] | null;
  locked: boolean;
}

/** One slot auto-select changed. */
export interface AutoselectChange {
  itemId: number;
  type: AssetType;
  rank: number;
  /** Candidate before (null: empty or an original). */
  from: number | null;
  /** Candidate after (null: emptied). */
  to: number | null;
}

export interface AutoselectResult {
  /** Monitored items looked at. */
  items: number;
  /** Items skipped because they are unmonitored. */
  unmonitored: number[];
  changes: AutoselectChange[];
  /** Chosen images brought into the cache in this run (one per slot). */
  downloaded: number;
  /** Chosen images whose download failed; the choice stands and is retried next run. */
  failed: { itemId: number; type: AssetType; rank: number; candidateId: number; error: string }[];
  previews: PreviewStats;
}

export interface PreviewStats {
  fetched: number;
  failed: number;
}

export interface RescoreResult {
  itemId: number;
  candidates: number;
  clusters: number;
  previews: PreviewStats;
}

const assetType = z.enum(ASSET_TYPES, {
  error: () => `Unknown artwork type; use one of ${ASSET_TYPES.join(', ')}`,
});
const id = z.number().int().positive();
const rank = z.number().int().min(0).max(19);

/** The value each field kind accepts from a user edit. */
export const FIELD_VALUE_SCHEMAS: Readonly<Record<FieldKind, z.ZodType>> = {
  text: z.string().max(2000),
  longtext: z.string().max(50_000),
  number: z.number().finite(),
  list: z.array(z.string().min(1).max(500)).max(500),
  ratings: z
    .array(
      z.object({
        source: z.string().min(1),
        value: z.number().finite(),
        votes: z.number().int().min(0),
        max: z.number().positive(),
      }),
    )
    .max(20),
  cast: z
    .array(
      z.object({
        name: z.string().min(1),
        role: z.string(),
        order: z.number().int().min(0),
        profileUrl: z.string().nullable(),
        tmdbId: z.number().int().nullable(),
      }),
    )
    .max(1000),
};

/**
 * Fields whose values are narrower than their kind's: an edit outside these is a typing slip
 * (an empty title, the year 99999), refused with the reason instead of stored and locked.
 */
const FIELD_RULES: Readonly<Partial<Record<FieldName, z.ZodType>>> = {
  title: z.string().trim().min(1, 'a title cannot be empty').max(2000),
  year: z.number().int('a year is a whole number').min(1870, 'films start in 1870').max(2200, 'too far ahead'),
  runtime: z.number().positive('a runtime is more than 0 minutes').max(10_000, 'longer than a week'),
  releaseDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'use the form YYYY-MM-DD')
    .refine(
      (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
      'not a real date',
    ),
};

/** What a user edit of `field` accepts. */
export function fieldValueSchema(field: FieldName): z.ZodType {
  return FIELD_RULES[field] ?? FIELD_VALUE_SCHEMAS[FIELD_DEFS[field].kind];
}

export const artworkMethods = {
  'item-artwork': method<ItemArtwork>()({
    summary: 'Chosen artwork and scored candidates of an item, look-alikes grouped, best first.',
    params: z.object({ itemId: id, type: assetType.optional() }).strict(),
  }),
  'artwork-select': method<SelectResult>()({
    summary: 'Choose a candidate for a slot; locks the slot and downloads the image into the cache.',
    params: z.object({ itemId: id, type: assetType, candidateId: id, rank: rank.optional() }).strict(),
  }),
  'artwork-lock': method<LockResult>()({
    summary: 'Lock a slot (every rank of the type when no rank is given) so automation leaves it alone.',
    params: z.object({ itemId: id, type: assetType, rank: rank.optional() }).strict(),
  }),
  'artwork-unlock': method<LockResult>()({
    summary: 'Unlock a slot so auto-select may replace it.',
    params: z.object({ itemId: id, type: assetType, rank: rank.optional() }).strict(),
  }),
  'candidate-block': method<BlockResult>()({
    summary: 'Never auto-select this candidate; automatic choices holding it are emptied.',
    params: z.object({ candidateId: id }).strict(),
  }),
  'candidate-unblock': method<BlockResult>()({
    summary: 'Allow auto-select to choose this candidate again.',
    params: z.object({ candidateId: id }).strict(),
  }),
  'artwork-autoselect': method<AutoselectResult>()({
    summary: 'Choose artwork for monitored items: unlocked slots only, no blocked candidates, no look-alikes.',
    params: z
      .object({ itemIds: z.array(id).max(100_000).optional(), all: z.boolean().optional() })
      .strict()
      .refine((p) => (p.itemIds?.length ?? 0) > 0 || p.all === true, {
        message: 'Give itemIds or all: true',
        path: ['itemIds'],
      }),
  }),
  'artwork-rescore': method<RescoreResult>()({
    summary: "Fetch missing previews, then score and group an item's candidates again.",
    params: z.object({ itemId: id, retryFailed: z.boolean().optional() }).strict(),
  }),
  'field-set': method<FieldResult>()({
    summary: 'Edit a metadata field; the edit locks it against automatic updates.',
    params: z.object({ itemId: id, field: z.string().min(1), value: z.unknown() }).strict(),
  }),
  'field-lock': method<FieldResult>()({
    summary: 'Lock a metadata field against automatic updates.',
    params: z.object({ itemId: id, field: z.string().min(1) }).strict(),
  }),
  'field-unlock': method<FieldResult>()({
    summary: 'Unlock a metadata field so enrichment may update it.',
    params: z.object({ itemId: id, field: z.string().min(1) }).strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
