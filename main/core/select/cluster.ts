/** 256-bit blockhash = 64 hex characters = 8 words of 32 bits. */
const HEX_LENGTH = 64;
const WORDS = 8;
const HEX = /^[0-9a-f]{64}$/i;

/** A perceptual hash as eight 32-bit words (for fast XOR/popcount), or null when malformed. */
export function hashWords(phash: string | null): Uint32Array | null {
  if (!phash || phash.length !== HEX_LENGTH || !HEX.test(phash)) return null;
  const words = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) words[i] = parseInt(phash.slice(i * 8, i * 8 + 8), 16) >>> 0;
  return words;
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Hamming distance of two parsed hashes, giving up (returning > limit) once past `limit`. */
export function wordsDistance(a: Uint32Array, b: Uint32Array, limit = Infinity): number {
  let d = 0;
  for (let i = 0; i < WORDS; i++) {
    d += popcount32((a[i]! ^ b[i]!) >>> 0);
    if (d > limit) return d;
  }
  return d;
}

/**
 * Groups images that look alike: every pair within `threshold` bits is joined, transitively
 * (union-find), so a picture served at three sizes by two providers becomes one group. Members
 * without a usable hash stay alone. Returns, for each member, the index of its group's first
 * member, so the grouping is independent of anything but the input order.
 */
export function groupLookAlikes(phashes: ReadonlyArray<string | null>, threshold: number): number[] {
  const n = phashes.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const words = phashes.map(hashWords);
  for (let i = 0; i < n; i++) {
    const a = words[i];
    if (!a) continue;
    for (let j = i + 1; j < n; j++) {
      const b = words[j];
      if (!b || wordsDistance(a, b, threshold) > threshold) continue;
      const ri = find(i);
      const rj = find(j);
      // The smaller index roots the group, so roots are stable whatever order pairs join in.
      if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
    }
  }
  return parent.map((_, i) => find(i));
}
