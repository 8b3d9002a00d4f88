import sharp, { type SharpOptions } from 'sharp';
import { blockhashPixels, perceptualHashOf } from '../select/phash.ts';
import { readHeader, sniffFormat, STORED_FORMATS, type StoredFormat } from './formats.ts';
import { THUMB, THUMB_SELF_MAX_WIDTH } from './layout.ts';

/** The limits of the validation gate; one table so the docs and tests quote the same numbers. */
export const GATE_LIMITS = {
  /** Largest body accepted, download or file. The biggest real artwork is a few MB. */
  maxBytes: 50 * 1024 * 1024,
  /** SVG is text: a logo is a few KB, and rendering cost grows with its size. */
  maxSvgBytes: 5 * 1024 * 1024,
  /**
   * Most pixels an image may declare (10000 × 10000). A 32000 × 18839 logo is refused from its
   * header, before anything is allocated.
   */
  maxPixels: 100_000_000,
  /** SVGs are rendered so their longer side is this many pixels (then stored as PNG). */
  svgLongSide: 2000,
  /** The density an SVG may be rendered at is bounded both ways (72 dpi = its declared size). */
  svgDensity: { min: 1, max: 72 * 16 },
} as const;

/** A body the gate refuses, with a reason a user can read ("an HTML page served as an image"). */
export class Rejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Rejection';
  }
}

export interface GateResult {
  /** The bytes to store: the input itself, or the PNG an SVG was rendered to. */
  bytes: Buffer;
  /** True when `bytes` are not the input (an SVG became a PNG); the caller re-hashes them. */
  converted: boolean;
  format: StoredFormat;
  /** As displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
  phash: string;
  /** The grid thumbnail (WebP), or null when the image is small enough to be its own thumbnail or none was asked for. */
  thumb: Buffer | null;
}

/** The decoded thumbnail-sized pixels, still to be encoded (`encodeThumb`). */
export interface ThumbPixels {
  data: Buffer;
  raw: { width: number; height: number; channels: 3 | 4 };
}

/** What the gate proves and computes before the thumbnail is encoded. */
export type InspectedImage = Omit<GateResult, 'thumb'> & { thumbPixels: ThumbPixels | null };

const input = (extra: SharpOptions = {}): SharpOptions => ({
  limitInputPixels: GATE_LIMITS.maxPixels,
  // Stricter than 'truncated': corrupt data inside an otherwise whole file is refused too.
  failOn: 'error',
  // Every pipeline here reads its input once, top to bottom: no random-access cache needed.
  sequentialRead: true,
  ...extra,
});

/**
 * The validation gate. Proves `bytes` are one whole image of a stored format and, from a single
 * decode, computes what the cache keeps about it: dimensions, perceptual hash and thumbnail.
 * The header is read first, so oversized and bomb images are refused before any pixel is
 * decoded; then one reduced-scale decode (JPEG/WebP shrink-on-load): the hash's own when no
 * thumbnail is needed, else one at thumbnail scale feeding both. Throws `Rejection` with the
 * reason; never anything else for bad input.
 */
export async function inspectImage(bytes: Buffer, options: { thumbnail: boolean }): Promise<GateResult> {
  const { thumbPixels, ...inspected } = await inspectPixels(bytes, options);
  return { ...inspected, thumb: thumbPixels ? await encodeThumb(thumbPixels) : null };
}

/**
 * `inspectImage` up to the thumbnail's pixels: everything that proves the image whole. The WebP
 * encode (`encodeThumb`) is left to the caller, so the ingest can schedule it as a separate turn
 * in its work pool and write the thumbnail while the blob itself is committed.
 */
export async function inspectPixels(bytes: Buffer, options: { thumbnail: boolean }): Promise<InspectedImage> {
  if (bytes.length > GATE_LIMITS.maxBytes) throw new Rejection(`larger than ${mb(GATE_LIMITS.maxBytes)}`);
  const sniffed = sniffFormat(bytes.subarray(0, 4096));
  if (sniffed.kind === 'refused') throw new Rejection(sniffed.reason);
  if (sniffed.kind === 'svg') {
    const png = await rasteriseSvg(bytes);
    return { ...(await decode(png, 'png', options.thumbnail)), converted: true };
  }
  return { ...(await decode(bytes, sniffed.format, options.thumbnail)), converted: false };
}

async function decode(
  bytes: Buffer,
  format: StoredFormat,
  wantThumb: boolean,
): Promise<Omit<InspectedImage, 'converted'>> {
  const { width, height } = displayedSize(bytes, format) ?? (await headerFromLibvips(bytes, format));
  if (width * height > GATE_LIMITS.maxPixels) {
    throw new Rejection(
      `declares ${width}×${height} pixels, over the limit of ${GATE_LIMITS.maxPixels / 1e6} million (a decompression bomb?)`,
    );
  }

  const decodeFailed = (err: Error): never => {
    throw new Rejection(`the ${format.toUpperCase()} data does not decode (${libvipsReason(err)})`);
  };
  const image = sharp(bytes, input()).autoOrient();
  if (!wantThumb || width <= THUMB_SELF_MAX_WIDTH) {
    // No thumbnail to make: the hash's own reduced decode is the one decode, and proves the image whole.
    const phash = await perceptualHashOf(image).catch(decodeFailed);
    return { bytes, format, width, height, phash, thumbPixels: null };
  }
  // The one decode, straight to the thumbnail's size (shrink-on-load, then one resize); the WebP
  // is encoded from those pixels (`encodeThumb`) and the hash is taken from the same pixels.
  const work = await image
    .resize({ width: THUMB.width, kernel: THUMB.kernel })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch(decodeFailed);
  const raw = { width: work.info.width, height: work.info.height, channels: work.info.channels as 3 | 4 };
  // An opaque image is hashed right here from those pixels. With transparency, the hash's rule
  // (a wholly transparent pixel counts as white) depends on the grid it is applied to, so the
  // pixels go through the hash's own 128 × 128 resize, as the select domain hashes them.
  const phash =
    raw.channels === 3
      ? blockhashPixels(work.data, raw.width, raw.height, raw.channels)
      : await perceptualHashOf(sharp(work.data, { raw }));
  return { bytes, format, width, height, phash, thumbPixels: { data: work.data, raw } };
}

/** The grid thumbnail (WebP) from the gate's thumbnail-sized pixels. */
export function encodeThumb(pixels: ThumbPixels): Promise<Buffer> {
  return sharp(pixels.data, { raw: pixels.raw }).webp({ quality: THUMB.quality, effort: THUMB.effort }).toBuffer();
}

/** Size as displayed (after EXIF orientation), from the header bytes alone; null when libvips must say. */
function displayedSize(bytes: Buffer, format: StoredFormat): { width: number; height: number } | null {
  const header = readHeader(bytes, format);
  if (!header) return null;
  const turned = header.orientation >= 5;
  return { width: turned ? header.height : header.width, height: turned ? header.width : header.height };
}

/** The header as libvips reads it (a header `readHeader` leaves alone): one call, no pixels decoded. */
async function headerFromLibvips(bytes: Buffer, format: StoredFormat): Promise<{ width: number; height: number }> {
  // Header only, so no pixel limit here: the caller refuses with the declared size.
  const meta = await sharp(bytes, input({ limitInputPixels: false }))
    .metadata()
    .catch((err: Error) => {
      throw new Rejection(`the ${format.toUpperCase()} header cannot be read (${libvipsReason(err)})`);
    });
  if (meta.format !== format) {
    throw new Rejection(`looks like ${format.toUpperCase()} but decodes as ${meta.format ?? 'nothing'}`);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new Rejection('the image declares no size');
  return { width, height };
}

/**
 * A thumbnail for a blob already in the cache (made lazily when it was skipped at ingest or
 * lost). Null when the blob is small enough to be its own thumbnail.
 */
export async function thumbnailOf(bytes: Buffer): Promise<Buffer | null> {
  const { thumbPixels } = await decode(bytes, formatOf(bytes), true);
  return thumbPixels ? encodeThumb(thumbPixels) : null;
}

function formatOf(bytes: Buffer): StoredFormat {
  const sniffed = sniffFormat(bytes.subarray(0, 4096));
  if (sniffed.kind !== 'image') throw new Rejection('the cached file is not a stored image format');
  return sniffed.format;
}

// An SVG may point at other files or URLs (images, fonts, stylesheets); none are fetched, the
// SVG is refused instead, so rendering never reads anything but these bytes.
const EXTERNAL_REFERENCE = /(?:\bhref\s*=\s*["']\s*(?!#|data:)[^"'\s])|(?:url\(\s*["']?\s*(?!#|data:))|@import/i;

/**
 * SVG decision: rasterise, don't store SVG. Players (Kodi in particular) do not read SVG art, so
 * a logo is rendered once to PNG with its transparency, long side `svgLongSide` px, at a density
 * bounded both ways so a tiny or enormous declared size cannot blow up the render.
 */
async function rasteriseSvg(bytes: Buffer): Promise<Buffer> {
  if (bytes.length > GATE_LIMITS.maxSvgBytes) throw new Rejection(`an SVG larger than ${mb(GATE_LIMITS.maxSvgBytes)}`);
  const text = bytes.toString('utf8');
  if (/<!ENTITY/i.test(text)) throw new Rejection('an SVG that declares XML entities (refused: entity expansion)');
  if (EXTERNAL_REFERENCE.test(text)) throw new Rejection('an SVG that refers to outside files or URLs');
  // Its declared size only sets the density; the render itself is bounded below.
  const meta = await sharp(bytes, input({ limitInputPixels: false }))
    .metadata()
    .catch((err: Error) => {
      throw new Rejection(`an SVG that cannot be read (${libvipsReason(err)})`);
    });
  if (meta.format !== 'svg' || !meta.width || !meta.height) throw new Rejection('an SVG without a usable size');
  const { min, max } = GATE_LIMITS.svgDensity;
  const density = Math.min(max, Math.max(min, (72 * GATE_LIMITS.svgLongSide) / Math.max(meta.width, meta.height)));
  return sharp(bytes, input({ density }))
    .png({ compressionLevel: 6 })
    .toBuffer()
    .catch((err: Error) => {
      throw new Rejection(svgRenderFailure(err));
    });
}

/**
 * librsvg's refusals that have a plain meaning, first match wins. libvips reports them in a
 * multi-line dump (its operation, glib's own line, the encoder's), which is no reason to show.
 */
const SVG_FAILURES: readonly [RegExp, string][] = [
  [/exceeded more than \d+ referenced elements/, 'the SVG references too many elements (an SVG bomb?)'],
];

function svgRenderFailure(err: Error): string {
  const known = SVG_FAILURES.find(([pattern]) => pattern.test(err.message));
  return known ? known[1] : `an SVG that does not render (${libvipsReason(err)})`;
}

/** The first line of a libvips error: the rest repeats it in glib's and the encoder's words. */
export function libvipsReason(err: Error): string {
  return err.message.split('\n', 1)[0]!.trim();
}

export function mimeOf(format: StoredFormat): string {
  return STORED_FORMATS[format].mime;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
