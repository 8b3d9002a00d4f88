import { z } from 'zod';
import { ASSET_TYPES, type AssetType } from '../asset-types.ts';
import type { FieldName, ItemFields } from '../fields.ts';
import type { MovieLayout } from '../naming.ts';
import type { NamingStyle, PublishMode } from '../settings.ts';
import { method, type MethodSpec } from './define.ts';

export const LIBRARY_KINDS = ['movies', 'tv'] as const;
export type LibraryKind = (typeof LIBRARY_KINDS)[number];

export const ITEM_STATES = ['new', 'identified', 'needs_match', 'enriched', 'missing'] as const;
/**
 * Where an item stands: `new` (found, no TMDB id yet), `needs_match` (several TMDB matches, the
 * user picks), `identified` (TMDB id known), `enriched` (metadata and candidates fetched),
 * `missing` (its files vanished; its choices and cache stay until it comes back).
 */
export type ItemState = (typeof ITEM_STATES)[number];
export type ItemKind = 'movie' | 'series' | 'season' | 'episode';

/** A library root as the UI and CLI show it. */
export interface LibraryView {
  id: number;
  /** Absolute, symlinks resolved. */
  path: string;
  name: string;
  kind: LibraryKind;
  /** Null: the global `naming.style` setting applies. */
  namingStyle: NamingStyle | null;
  /** Null: the global `publish.mode` setting applies. */
  publishMode: PublishMode | null;
  /** `missing` when the root could not be read at the last scan (unmounted, deleted). */
  state: 'ok' | 'missing';
  createdAt: number;
  lastScanAt: number | null;
  itemCount: number;
  missingCount: number;
  errorCount: number;
}

/** Locks on an item: locked fields, locked artwork slots and a locked TMDB match. */
export interface ItemLockCounts {
  fields: number;
  slots: number;
  match: boolean;
}

/** One row of the item list: enough for a grid or a table without a second request. */
export interface ItemSummary {
  id: number;
  libraryId: number;
  kind: ItemKind;
  title: string;
  year: number | null;
  state: ItemState;
  monitored: boolean;
  tmdbId: number | null;
  imdbId: string | null;
  /** Absolute folder holding the movie (the disc root for disc structures). */
  folder: string;
  /** Video file name without extension; published names derive from it. */
  basename: string;
  layout: MovieLayout;
  /** The last problem to show the user (scan, NFO, provider), or null. */
  error: string | null;
  /** sha256 of the current poster (rank 0), from the slots; null when none is chosen or downloaded. */
  posterSha: string | null;
  /** Per type: whether rank 0 has an image (chosen and downloaded, or an original). */
  art: Record<AssetType, boolean>;
  locked: ItemLockCounts;
  updatedAt: number;
}

/** One artwork slot: what is selected for (type, rank). */
export interface SlotView {
  assetType: AssetType;
  rank: number;
  blobSha: string | null;
  candidateId: number | null;
  libraryFileId: number | null;
  chosenBy: 'auto' | 'user' | 'original';
  locked: boolean;
  updatedAt: number;
}

/** A file in the library that belongs to an item (an original found by scan, or one we published). */
export interface LibraryFileView {
  id: number;
  path: string;
  role: 'art' | 'nfo' | 'actor';
  assetType: AssetType | null;
  rank: number | null;
  origin: 'original' | 'published';
  sha256: string;
  bytes: number;
  width: number | null;
  height: number | null;
  mtime: number;
  publishedAt: number | null;
  seenAt: number;
  /**
   * The file on disk now, against what was recorded: `missing` (deleted since, e.g. by an
   * upgrade) or `changed` (its size or time differ: edited in place). Checked when asked.
   */
  onDisk: 'present' | 'missing' | 'changed';
}

/** Everything about one item; other domains may add more members later. */
export interface ItemDetail extends ItemSummary {
  sortTitle: string | null;
  /** The main video file (first part of a stack), or the disc structure folder. */
  videoPath: string | null;
  videoSize: number | null;
  createdAt: number;
  scannedAt: number | null;
  enrichedAt: number | null;
  publishedAt: number | null;
  fields: ItemFields;
  lockedFields: FieldName[];
  slots: SlotView[];
  libraryFiles: LibraryFileView[];
}

/** A problem met during a scan; the scan always goes on. */
export interface ScanError {
  path: string;
  reason: string;
  itemId: number | null;
}

export interface ScanSummary {
  /** Libraries scanned. */
  libraryIds: number[];
  /** Folders looked at. */
  folders: number;
  /** Folders skipped because nothing in them changed since the last scan. */
  unchangedFolders: number;
  added: number;
  updated: number;
  /** Items found where they were and unchanged. */
  unchanged: number;
  /** Items whose files vanished and that no new movie matched (now `missing`). */
  missing: number;
  /** Items found again in another place (moved or renamed), keeping their id and choices. */
  moved: number;
  errors: ScanError[];
  durationMs: number;
}

/** What the `scan` method did: the scan, then the user's own pictures copied into the cache. */
export interface ScanResult extends ScanSummary {
  /**
   * Pictures found in the library (the user's own) that are a movie's current image and were
   * copied into the cache now, so a rebuild can bring them back if the library loses them.
   */
  originalsKept: number;
}

export const ITEM_SORTS = ['title', 'year', 'added', 'updated', 'state'] as const;
export type ItemSort = (typeof ITEM_SORTS)[number];

export interface ItemList {
  /** Items matching the filter (not just this page). */
  total: number;
  items: ItemSummary[];
}

const id = z.number().int().positive();

export const itemsListParams = z
  .object({
    libraryId: id.optional(),
    state: z.enum(ITEM_STATES).optional(),
    /** true: items lacking a poster or a fanart; false: items having both. */
    missingArt: z.boolean().optional(),
    /** Items lacking this one type (rank 0). */
    missingType: z.enum(ASSET_TYPES).optional(),
    /** Matches title (case-insensitive, part of it), an IMDb id, or a TMDB id. */
    search: z.string().max(200).optional(),
    monitored: z.boolean().optional(),
    /** true: items with any lock (field, slot or match). */
    locked: z.boolean().optional(),
    hasErrors: z.boolean().optional(),
    sort: z.enum(ITEM_SORTS).default('title'),
    order: z.enum(['asc', 'desc']).default('asc'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(10_000).default(100),
  })
  .strict();

export const libraryMethods = {
  'library-add': method<LibraryView>()({
    summary: 'Add a library root folder (nothing is written into it). Scan it next.',
    params: z
      .object({
        path: z.string().min(1).max(4096),
        kind: z.enum(['movies']).default('movies'),
        name: z.string().min(1).max(200).optional(),
      })
      .strict(),
  }),
  'library-list': method<LibraryView[]>()({
    summary: 'Every library with its item counts.',
    params: z.object({}).strict(),
  }),
  'library-move': method<LibraryView>()({
    summary:
      'Point a library at its new folder after a disk swap or a new mount point, keeping its items, choices and locks. Scan and rebuild next.',
    params: z.object({ id, path: z.string().min(1).max(4096) }).strict(),
  }),
  'library-remove': method<{ removed: number; items: number }>()({
    summary: 'Forget a library and its items. Files on disk are never touched.',
    params: z.object({ id }).strict(),
  }),
  scan: method<ScanResult>()({
    summary:
      'Scan one library (or all): find movies, NFOs and existing artwork (incremental); then copy the pictures in use into the cache.',
    params: z
      .object({
        libraryId: id.optional(),
        /** Look inside every folder even when its listing is unchanged (catches in-place edits). */
        deep: z.boolean().default(false),
      })
      .strict(),
  }),
  'items-list': method<ItemList>()({
    summary: 'Items matching a filter, one page at a time.',
    params: itemsListParams,
  }),
  'item-get': method<ItemDetail>()({
    summary: 'One item with its fields, locks, artwork slots and library files.',
    params: z.object({ id }).strict(),
  }),
  'items-set-monitored': method<{ updated: number }>()({
    summary: 'Monitor or unmonitor items (unmonitored items are left alone by automation).',
    params: z.object({ ids: z.array(id).min(1).max(10_000), monitored: z.boolean() }).strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
