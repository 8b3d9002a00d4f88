import { bmvbhash } from 'blockhash-core';
import sharp, { type Sharp } from 'sharp';

/** Blocks per side: 16 × 16 = 256 bits, 64 hex characters. */
const BITS = 16;
/** The hash grid is decoded at this size; a multiple of BITS takes blockhash's exact path. */
const GRID = 128;

/**
 * Perceptual hash (blockhash, 256 bits) of an image pipeline. The caller passes a sharp
 * instance (opened with shrink-on-load where possible); it is cloned, so the same decode can
 * also feed validation and thumbnails. Transparent pixels count as white, identically for every
 * image, so logos hash the same whichever provider served them.
 */
export async function perceptualHash(image: Sharp): Promise<string> {
  const { data, info } = await image
    .clone()
    .resize(GRID, GRID, { fit: 'fill', fastShrinkOnLoad: true })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`Expected 4 channels for hashing, got ${info.channels}`);
  return bmvbhash({ width: info.width, height: info.height, data }, BITS);
}

/**
 * Perceptual hash of an image file or buffer that is not open yet (an original in the library,
 * a cached preview). The resize in `perceptualHash` lets JPEG and WebP decode at a reduced
 * scale (shrink-on-load: 1/2, 1/4, 1/8), and a sequential read skips the random-access cache,
 * so a 2000×3000 poster costs about two thirds of its bare full decode (bench/hash.bench.ts).
 * Throws when the input is not a decodable image.
 */
export function hashImage(input: string | Buffer): Promise<string> {
  return perceptualHash(sharp(input, { failOn: 'none', sequentialRead: true }).autoOrient());
}

const POPCOUNT = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Bits that differ between two hashes of the same length. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) throw new Error('Perceptual hashes of different lengths cannot be compared');
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POPCOUNT[parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)]!;
  return d;
}
