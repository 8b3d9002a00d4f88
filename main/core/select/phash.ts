import { bmvbhash } from 'blockhash-core';
import sharp, { type Sharp } from 'sharp';

/** Blocks per side: 16 × 16 = 256 bits, 64 hex characters. */
const BITS = 16;
/** The hash grid is decoded at this size; a multiple of BITS takes blockhash's exact path. */
const GRID = 128;

/**
 * Perceptual hash (blockhash, 256 bits) of an image pipeline. The caller passes a sharp
 * instance (opened with shrink-on-load where possible); it is cloned, so the caller may still use
 * it. Transparent pixels count as white, identically for every image, so logos hash the same
 * whichever provider served them.
 */
export function perceptualHash(image: Sharp): Promise<string> {
  return perceptualHashOf(image.clone());
}

/**
 * `perceptualHash` on a pipeline the caller hands over and does not use again: no clone (a clone
 * copies the input buffer). The hash is the same.
 */
export async function perceptualHashOf(image: Sharp): Promise<string> {
  const { data, info } = await image
    .resize(GRID, GRID, { fit: 'fill', fastShrinkOnLoad: true })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`Expected 4 channels for hashing, got ${info.channels}`);
  return bmvbhash({ width: info.width, height: info.height, data }, BITS);
}

/**
 * The same blockhash, of 8-bit sRGB pixels already decoded at any size (3 channels, or 4 with
 * alpha), in one pass: what `bmvbhash` computes on those pixels (area-weighted block sums, a
 * transparent pixel counting as white; the same bits, up to rounding), without a second trip
 * through libvips. The cache's gate hashes its thumbnail-sized decode with it.
 */
export function blockhashPixels(data: Uint8Array, width: number, height: number, channels: number): string {
  if (channels !== 3 && channels !== 4) throw new Error(`Expected 3 or 4 channels for hashing, got ${channels}`);
  if (width < 1 || height < 1 || data.length < width * height * channels) throw new Error('Not enough pixels to hash');
  const xs = axisWeights(width);
  const ys = axisWeights(height);
  // Along a row: runs of whole pixels of one block (summed as integers, exactly), and the pixels
  // that straddle two blocks (shared by weight).
  const runs: { block: number; start: number; end: number }[] = [];
  const straddling: number[] = [];
  for (let x = 0; x < width; x++) {
    if (xs.first[x] !== xs.second[x]) straddling.push(x);
    else if (runs.at(-1)?.block === xs.first[x] && runs.at(-1)!.end === x) runs.at(-1)!.end++;
    else runs.push({ block: xs.first[x]!, start: x, end: x + 1 });
  }
  const blocks = new Float64Array(BITS * BITS);
  const row = new Float64Array(BITS);
  for (let y = 0; y < height; y++) {
    row.fill(0);
    const base = y * width * channels;
    for (const run of runs) row[run.block]! += sumPixels(data, base + run.start * channels, base + run.end * channels, channels);
    for (const x of straddling) {
      const value = sumPixels(data, base + x * channels, base + (x + 1) * channels, channels);
      const w = xs.weight[x]!;
      row[xs.first[x]!]! += value * w;
      row[xs.second[x]!]! += value * (1 - w);
    }
    const top = ys.first[y]! * BITS;
    const bottom = ys.second[y]! * BITS;
    const w = top === bottom ? 1 : ys.weight[y]!;
    for (let b = 0; b < BITS; b++) {
      blocks[top + b]! += row[b]! * w;
      blocks[bottom + b]! += row[b]! * (1 - w);
    }
  }
  return toHex(toBits(blocks, (width / BITS) * (height / BITS)));
}

/** r + g + b of the pixels from byte `from` to `to`; a fully transparent pixel counts as white (765). */
function sumPixels(data: Uint8Array, from: number, to: number, channels: number): number {
  let sum = 0;
  if (channels === 3) {
    for (let i = from; i < to; i += 3) sum += data[i]! + data[i + 1]! + data[i + 2]!;
  } else {
    for (let i = from; i < to; i += 4) sum += data[i + 3] === 0 ? 765 : data[i]! + data[i + 1]! + data[i + 2]!;
  }
  return sum;
}

/**
 * For each pixel along one side: the block it starts in, the block it may spill into, and the
 * share that stays in the first (a pixel that does not spill counts whole). The arithmetic is
 * bmvbhash's, so the sums are the same.
 */
function axisWeights(size: number): { first: Int32Array; second: Int32Array; weight: Float64Array } {
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const weight = new Float64Array(size).fill(1);
  const block = size / BITS;
  const even = size % BITS === 0;
  for (let p = 0; p < size; p++) {
    first[p] = second[p] = Math.floor(p / block);
    if (even) continue;
    const mod = (p + 1) % block;
    const frac = mod - Math.floor(mod);
    weight[p] = 1 - frac;
    if (!(mod - frac > 0 || p + 1 === size)) second[p] = Math.ceil(p / block);
  }
  return { first, second, weight };
}

/** Each block against the median of its quarter of the rows, as bmvbhash decides its bits. */
function toBits(blocks: Float64Array, pixelsPerBlock: number): Uint8Array {
  const half = (pixelsPerBlock * 256 * 3) / 2;
  const band = blocks.length / 4;
  const bits = new Uint8Array(blocks.length);
  for (let start = 0; start < blocks.length; start += band) {
    const sorted = blocks.slice(start, start + band).sort();
    const m = band % 2 === 0 ? (sorted[band / 2 - 1]! + sorted[band / 2]!) / 2 : sorted[Math.floor(band / 2)]!;
    for (let j = start; j < start + band; j++) {
      const v = blocks[j]!;
      bits[j] = v > m || (Math.abs(v - m) < 1 && m > half) ? 1 : 0;
    }
  }
  return bits;
}

function toHex(bits: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bits.length; i += 4) hex += ((bits[i]! << 3) | (bits[i + 1]! << 2) | (bits[i + 2]! << 1) | bits[i + 3]!).toString(16);
  return hex;
}

/**
 * Perceptual hash of an image file or buffer that is not open yet (an original in the library,
 * a cached preview). The resize in `perceptualHash` lets JPEG and WebP decode at a reduced
 * scale (shrink-on-load: 1/2, 1/4, 1/8), and a sequential read skips the random-access cache,
 * so a 2000×3000 poster costs about two thirds of its bare full decode (bench/hash.bench.ts).
 * Throws when the input is not a decodable image.
 */
export function hashImage(input: string | Buffer): Promise<string> {
  return perceptualHashOf(sharp(input, { failOn: 'none', sequentialRead: true }).autoOrient());
}

const POPCOUNT = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Bits that differ between two hashes of the same length. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) throw new Error('Perceptual hashes of different lengths cannot be compared');
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POPCOUNT[parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)]!;
  return d;
}
