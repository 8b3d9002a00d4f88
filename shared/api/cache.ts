import { z } from 'zod';
import { ASSET_TYPES, type AssetType } from '../asset-types.ts';
import type { Slot } from './artwork.ts';
import { method, type MethodSpec } from './define.ts';

/** One provenance of a cached image: who served it and from where (URL, or local path for uploads/originals). */
export interface BlobSource {
  provider: string;
  source: string;
  addedAt: number;
}

/** A content-addressed image in the cache. */
export interface BlobInfo {
  sha256: string;
  ext: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  /** 256-bit blockhash, 64 hex characters. */
  phash: string | null;
  area: 'assets' | 'previews';
  /** `available` blobs are whole, decodable images; `quarantined` failed verification; `recycled` are in the recycle bin. */
  state: 'available' | 'quarantined' | 'recycled';
  createdAt: number;
  verifiedAt: number | null;
  /** Set while nothing references the blob; it is collected after `cache.gcGraceDays`. */
  unreferencedSince: number | null;
  sources: BlobSource[];
}

/** A requested download and where it stands (PENDING → AVAILABLE | FAILED). */
export interface DownloadInfo {
  id: number;
  /** Credentials removed. */
  url: string;
  area: 'assets' | 'previews';
  provider: string;
  candidateId: number | null;
  state: 'pending' | 'available' | 'failed';
  attempts: number;
  /** Why it failed ("an HTML page served as an image", "HTTP 404"…). */
  error: string | null;
  blobSha: string | null;
  requestedAt: number;
  finishedAt: number | null;
}

export interface RecycleEntry {
  id: number;
  originalPath: string;
  storedPath: string;
  sha256: string | null;
  bytes: number;
  itemId: number | null;
  kind: 'library-file' | 'blob';
  reason: string;
  deletedAt: number;
  expiresAt: number;
  restoredAt: number | null;
  purgedAt: number | null;
}

/** A recycled picture chosen again: which slot of which movie it now fills. */
export interface RecycleReuseResult {
  itemId: number;
  type: AssetType;
  rank: number;
  blob: BlobInfo;
}

export interface CacheImportResult {
  blob: BlobInfo;
  /** The slot, now chosen by the user and locked. */
  slot: Slot;
}

export interface CacheVerifyResult {
  repair: boolean;
  checked: number;
  ok: number;
  problems: {
    sha256: string;
    area: 'assets' | 'previews';
    problem: 'missing' | 'corrupt';
    /** `reported` without --repair; `repaired` from a copy or its source; `unrecoverable` stays quarantined. */
    outcome: 'reported' | 'repaired' | 'unrecoverable';
    detail: string;
    /** The slots that show this image (which items a user sees it broken in). */
    usedBy: { itemId: number; type: string; rank: number }[];
  }[];
  thumbnailsMissing: number;
  /** Thumbnails whose WebP header does not match the file, or that are not files; rebuilt with repair. */
  thumbnailsDamaged: number;
  thumbnailsRebuilt: number;
  /** Entries under assets/previews/thumbs Posterity did not put there; moved to `quarantine/stray/` with repair. */
  strays: { found: number; moved: number; examples: string[] };
}

export interface CacheGcResult {
  dryRun: boolean;
  referenced: number;
  newlyUnreferenced: number;
  /** Unreferenced, still within the grace period. */
  waiting: number;
  recycled: { sha256: string; bytes: number; unreferencedSince: number }[];
  purged: number;
  purgedBytes: number;
  /** `cache/quarantine/`: files verify moved aside, purged after the recycle retention. */
  quarantine: {
    purged: { sha256: string; bytes: number; quarantinedAt: number }[];
    purgedBytes: number;
    kept: number;
    keptBytes: number;
    /** Unrecoverable quarantined blobs nothing used for the grace period: their rows are dropped. */
    forgotten: string[];
  };
  /** Thumbnails of images nothing shows any more (an original since replaced), deleted. */
  orphanThumbnails: { files: number; bytes: number };
}

export interface CacheResumeResult {
  resumed: number;
  available: number;
  failed: number;
  tempFilesRemoved: number;
}

export interface RecyclePurgeResult {
  purged: number;
  bytes: number;
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex');
// shared/ has no node:path; these are the absolute forms on POSIX and Windows.
const absolutePath = z
  .string()
  .min(1)
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'an absolute path');
const id = z.number().int().positive();

export const cacheMethods = {
  'cache-import': method<CacheImportResult>()({
    summary: "Import a local image as an item's chosen, locked image of a type (validated like any download).",
    params: z
      .object({
        itemId: id,
        type: z.enum(ASSET_TYPES),
        file: absolutePath,
        rank: z.number().int().min(0).optional(),
      })
      .strict(),
  }),
  'cache-verify': method<CacheVerifyResult>()({
    summary:
      'Re-hash every cached image; with repair, quarantine bad files and fetch them again from copies or their source.',
    params: z.object({ repair: z.boolean().default(false) }).strict(),
  }),
  'cache-gc': method<CacheGcResult>()({
    summary:
      'Collect cache images nothing uses (after the grace period) into the recycle bin; purge expired recycle entries and quarantined files.',
    params: z.object({ dryRun: z.boolean().default(false) }).strict(),
  }),
  'cache-blob': method<BlobInfo>()({
    summary: 'One cached image with its provenance.',
    params: z.object({ sha256 }).strict(),
  }),
  'cache-downloads': method<DownloadInfo[]>()({
    summary:
      'Requested downloads, newest first (pending ones are resumed when a long-running process starts, and before a CLI command that uses the cache).',
    params: z
      .object({
        state: z.enum(['pending', 'available', 'failed']).optional(),
        limit: z.number().int().min(1).max(10_000).default(100),
      })
      .strict(),
  }),
  'cache-resume': method<CacheResumeResult>()({
    summary: 'Resume downloads left pending (after a crash or kill) and remove dead temp files.',
    params: z.object({}).strict(),
  }),
  'recycle-list': method<RecycleEntry[]>()({
    summary: 'Files in the recycle bin, newest first.',
    params: z
      .object({ includeRestored: z.boolean().default(false), includePurged: z.boolean().default(false) })
      .strict(),
  }),
  'recycle-restore': method<RecycleEntry>()({
    summary: 'Put a recycled file back where it was (refuses to overwrite a different file).',
    params: z.object({ id }).strict(),
  }),
  'recycle-reuse': method<RecycleReuseResult>()({
    summary:
      "Make a recycled picture of a movie (an original a new choice replaced) the movie's chosen image again, " +
      'locked; the next publish writes it. The file stays in the bin.',
    params: z.object({ id }).strict(),
  }),
  'recycle-purge': method<RecyclePurgeResult>()({
    summary: 'Delete recycled files for good: those past their retention, or all with expiredOnly false.',
    params: z.object({ expiredOnly: z.boolean().default(true) }).strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
