import path from 'node:path';
import type { DataPaths } from '../config/data-dir.ts';

/** The two content-addressed areas: chosen full images, and candidate preview images. */
export type CacheArea = 'assets' | 'previews';
export const CACHE_AREAS: readonly CacheArea[] = ['assets', 'previews'];

/** Sizes the UI asks for: `thumb` is a WebP for grids, `full` is the blob file itself. */
export type ThumbSize = 'thumb' | 'full';
export const THUMB_SIZES: readonly ThumbSize[] = ['thumb', 'full'];

/**
 * Grid thumbnails: this wide (height follows the aspect), WebP at this quality. Effort 1 encodes
 * about three times faster than the default 4 for a few percent more bytes (effort 0 saves
 * another 3% of the gate's time for 11% more bytes: not taken). The kernel applies after
 * shrink-on-load, to a reduction of less than 2×, where a (properly widened) linear filter looks
 * the same at grid size as lanczos3 and costs 15% less of the thumbnail decode.
 */
export const THUMB = { width: 342, quality: 80, effort: 1, kernel: 'linear' } as const;
/**
 * A blob at most this wide is served as its own thumbnail: re-encoding a 500 px preview to save a
 * few kilobytes is not worth a file per blob.
 */
export const THUMB_SELF_MAX_WIDTH = Math.round(THUMB.width * 1.5);

const SHA256 = /^[0-9a-f]{64}$/;

/** True for a lowercase hex SHA-256, the only name a cache file may have. */
export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

/** `ab/c1` for `abc1…`: two levels of 256 folders keep every folder small. */
function shard(sha: string): string {
  if (!isSha256(sha)) throw new Error(`Not a SHA-256: ${sha}`);
  return path.join(sha.slice(0, 2), sha.slice(2, 4));
}

/** `<data>/cache/<area>/ab/c1/<sha>.<ext>` */
export function blobPath(paths: DataPaths, area: CacheArea, sha: string, ext: string): string {
  return path.join(paths[area], shard(sha), `${sha}.${ext}`);
}

/** `<data>/cache/thumbs/ab/c1/<sha>-<size>.webp` */
export function thumbPath(paths: DataPaths, sha: string, size: Exclude<ThumbSize, 'full'>): string {
  return path.join(paths.thumbs, shard(sha), `${sha}-${size}.webp`);
}
