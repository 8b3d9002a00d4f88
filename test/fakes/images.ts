import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { Random, hashSeed } from './prng.ts';

/**
 * Pictures are abstract artworks identified by a pictureId; a served image is a rendering of a
 * picture at some size/format/quality. Two served images with the same pictureId are the same
 * picture (perceptual near-duplicates); same pictureId + size + format + quality → same bytes.
 *
 * pictureId format: `<kind>.<t|n>.<hex>` (t = has title/billing "text" bars).
 */
export type PictureKind =
  'poster' | 'backdrop' | 'logo' | 'profile' | 'disc' | 'clearart' | 'banner' | 'thumb' | 'square';
export type PictureFormat = 'jpeg' | 'png' | 'svg';

const KINDS: readonly PictureKind[] = [
  'poster',
  'backdrop',
  'logo',
  'profile',
  'disc',
  'clearart',
  'banner',
  'thumb',
  'square',
];
const TRANSPARENT_KINDS: ReadonlySet<PictureKind> = new Set(['logo', 'disc', 'clearart']);

export function makePictureId(kind: PictureKind, withText: boolean, rng: Random): string {
  return `${kind}.${withText ? 't' : 'n'}.${rng.hex(12)}`;
}

export function parsePictureId(pictureId: string): { kind: PictureKind; withText: boolean } {
  const [kind, flag, hex] = pictureId.split('.');
  if (!kind || !KINDS.includes(kind as PictureKind) || (flag !== 't' && flag !== 'n') || !hex) {
    throw new Error(`not a picture id: ${pictureId}`);
  }
  return { kind: kind as PictureKind, withText: flag === 't' };
}

export function isTransparentKind(kind: PictureKind): boolean {
  return TRANSPARENT_KINDS.has(kind);
}

function hsl(h: number, s: number, l: number): string {
  // Converted here rather than emitting hsl() so we do not depend on librsvg's CSS colour support.
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

function colour(rng: Random, light?: 'light' | 'dark'): string {
  const l =
    light === 'light' ? rng.real(0.75, 0.92, 3) : light === 'dark' ? rng.real(0.08, 0.25, 3) : rng.real(0.25, 0.7, 3);
  return hsl(rng.int(0, 359), rng.real(0.35, 0.95, 3), l);
}

function shapes(rng: Random, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const fill = colour(rng);
    const opacity = rng.real(0.55, 0.95, 2);
    const type = rng.int(0, 2);
    if (type === 0) {
      out.push(
        `<circle cx="${rng.int(0, 1000)}" cy="${rng.int(0, 1000)}" r="${rng.int(60, 300)}" fill="${fill}" fill-opacity="${opacity}"/>`,
      );
    } else if (type === 1) {
      const w = rng.int(80, 500);
      const h = rng.int(80, 500);
      const x = rng.int(-100, 900);
      const y = rng.int(-100, 900);
      out.push(
        `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}" fill-opacity="${opacity}" transform="rotate(${rng.int(-45, 45)} ${x + w / 2} ${y + h / 2})"/>`,
      );
    } else {
      const pts = [0, 1, 2].map(() => `${rng.int(-50, 1050)},${rng.int(-50, 1050)}`).join(' ');
      out.push(`<polygon points="${pts}" fill="${fill}" fill-opacity="${opacity}"/>`);
    }
  }
  return out.join('');
}

function gradientDefs(rng: Random, id: string): string {
  const angle = rng.real(0, Math.PI * 2, 3);
  const x2 = 0.5 + Math.cos(angle) / 2;
  const y2 = 0.5 + Math.sin(angle) / 2;
  // A strong dark→light ramp spreads hash blocks far apart, so re-encodes and resizes of the
  // same picture do not flip the blocks that sit near the median.
  const stops = [colour(rng, 'dark'), ...(rng.chance(0.5) ? [colour(rng)] : []), colour(rng, 'light')];
  if (rng.chance(0.5)) stops.reverse();
  let s = '';
  stops.forEach((c, i) => {
    s += `<stop offset="${(i / (stops.length - 1)).toFixed(2)}" stop-color="${c}"/>`;
  });
  return `<linearGradient id="${id}" x1="${(1 - x2).toFixed(3)}" y1="${(1 - y2).toFixed(3)}" x2="${x2.toFixed(3)}" y2="${y2.toFixed(3)}">${s}</linearGradient>`;
}

/** Fonts differ between machines, so "text" is drawn as bars shaped like a title and a billing block. */
function textBars(rng: Random, kind: PictureKind): string {
  const fill = rng.chance(0.5) ? colour(rng, 'light') : colour(rng, 'dark');
  const out: string[] = [];
  if (kind === 'poster' || kind === 'square') {
    const top = rng.chance(0.5);
    const w = rng.int(600, 850);
    const y = top ? rng.int(50, 120) : rng.int(700, 780);
    out.push(`<rect x="${(1000 - w) / 2}" y="${y}" width="${w}" height="${rng.int(60, 90)}" rx="8" fill="${fill}"/>`);
    out.push(`<rect x="${(1000 - w * 0.6) / 2}" y="${y + 110}" width="${w * 0.6}" height="24" fill="${fill}"/>`);
    for (let i = 0; i < 3; i++)
      out.push(`<rect x="150" y="${900 + i * 22}" width="700" height="12" fill="${fill}" fill-opacity="0.85"/>`);
  } else {
    const x = rng.int(40, 120);
    const y = rng.int(120, 700);
    out.push(
      `<rect x="${x}" y="${y}" width="${rng.int(300, 450)}" height="${rng.int(70, 110)}" rx="6" fill="${fill}"/>`,
    );
    out.push(`<rect x="${x}" y="${y + 140}" width="${rng.int(180, 280)}" height="26" fill="${fill}"/>`);
  }
  return out.join('');
}

function logoLetters(rng: Random, fillRef: string): string {
  const n = rng.int(4, 10);
  const gap = 14;
  const w = (900 - gap * (n - 1)) / n;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const h = rng.int(420, 820);
    const x = 50 + i * (w + gap);
    const y = (1000 - h) / 2;
    if (rng.chance(0.35)) {
      out.push(
        `<ellipse cx="${x + w / 2}" cy="500" rx="${w / 2}" ry="${h / 2}" fill="${fillRef}" stroke="#111111" stroke-width="10"/>`,
      );
    } else {
      out.push(
        `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${rng.int(0, 30)}" fill="${fillRef}" stroke="#111111" stroke-width="10"/>`,
      );
    }
  }
  return out.join('');
}

/** The SVG document for a picture at the given pixel size (the design stretches to any aspect). */
export function pictureSvg(pictureId: string, width: number, height: number): string {
  const { kind, withText } = parsePictureId(pictureId);
  const rng = new Random(hashSeed('picture', pictureId));
  const defs = gradientDefs(rng, 'g') + gradientDefs(rng, 'h');
  let body: string;
  switch (kind) {
    case 'logo':
      body =
        logoLetters(rng, 'url(#g)') +
        (rng.chance(0.4) ? `<rect x="50" y="930" width="900" height="40" fill="url(#h)"/>` : '');
      break;
    case 'clearart':
      body =
        `<ellipse cx="${rng.int(300, 700)}" cy="${rng.int(350, 600)}" rx="${rng.int(150, 350)}" ry="${rng.int(200, 380)}" fill="url(#g)"/>` +
        `<ellipse cx="${rng.int(200, 800)}" cy="${rng.int(400, 700)}" rx="${rng.int(100, 250)}" ry="${rng.int(150, 300)}" fill="url(#h)"/>` +
        `<rect x="250" y="850" width="500" height="90" rx="10" fill="${colour(rng, 'light')}" stroke="#111111" stroke-width="8"/>`;
      break;
    case 'disc':
      body =
        `<path fill-rule="evenodd" fill="url(#g)" d="M500 10a490 490 0 1 0 0.1 0zM500 440a60 60 0 1 0 0.1 0z"/>` +
        `<path fill-rule="evenodd" fill="url(#h)" fill-opacity="0.7" d="M500 ${rng.int(120, 300)}a${rng.int(150, 200)} ${rng.int(150, 200)} 0 1 0 0.1 0z"/>` +
        `<rect x="250" y="700" width="500" height="70" rx="8" fill="${colour(rng, 'light')}"/>`;
      break;
    case 'profile':
      body =
        `<rect width="1000" height="1000" fill="url(#g)"/>` +
        `<ellipse cx="500" cy="1000" rx="${rng.int(330, 420)}" ry="${rng.int(260, 340)}" fill="${colour(rng, 'dark')}"/>` +
        `<ellipse cx="500" cy="${rng.int(340, 420)}" rx="${rng.int(150, 190)}" ry="${rng.int(190, 230)}" fill="${colour(rng, 'light')}"/>`;
      break;
    default:
      body =
        `<rect width="1000" height="1000" fill="url(#g)"/>` +
        `<circle cx="${rng.int(200, 800)}" cy="${rng.int(200, 800)}" r="${rng.int(200, 380)}" fill="url(#h)"/>` +
        shapes(rng, rng.int(5, 9));
  }
  if (withText && kind !== 'logo') body += textBars(rng, kind);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 1000 1000" preserveAspectRatio="none">` +
    `<defs>${defs}</defs>${body}</svg>`
  );
}

const HASH_GRID = 16;
const NUDGE_MARGIN = 10;
const nudges = new Map<string, Promise<string>>();

/**
 * Flat vector art leaves some perceptual-hash blocks (blockhash, 16×16 grid, median per
 * quarter-height band) within a level or two of their band's median, so two renderings of one
 * picture at different sizes flip them. Real artwork is less pathological; to keep same-picture
 * renditions reliably close, blocks near the median get a faint lighter/darker veil that moves
 * them at least NUDGE_MARGIN levels away from it.
 */
function nudgeLayer(pictureId: string): Promise<string> {
  let p = nudges.get(pictureId);
  if (!p) {
    p = computeNudge(pictureId);
    nudges.set(pictureId, p);
  }
  return p;
}

async function computeNudge(pictureId: string): Promise<string> {
  const size = HASH_GRID * 8;
  const { data } = await sharp(Buffer.from(pictureSvg(pictureId, size, size)))
    .flatten({ background: '#ffffff' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const means: number[] = [];
  for (let by = 0; by < HASH_GRID; by++) {
    for (let bx = 0; bx < HASH_GRID; bx++) {
      let total = 0;
      for (let y = by * 8; y < by * 8 + 8; y++) {
        for (let x = bx * 8; x < bx * 8 + 8; x++) {
          const i = (y * size + x) * 3;
          total += (data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0);
        }
      }
      means.push(total / 64 / 3);
    }
  }
  const cell = 1000 / HASH_GRID;
  const band = (HASH_GRID * HASH_GRID) / 4;
  const rects: string[] = [];
  for (let b = 0; b < 4; b++) {
    const values = means.slice(b * band, (b + 1) * band);
    const sorted = [...values].sort((x, y) => x - y);
    const median = ((sorted[band / 2 - 1] ?? 0) + (sorted[band / 2] ?? 0)) / 2;
    values.forEach((v, i) => {
      if (Math.abs(v - median) >= NUDGE_MARGIN) return;
      const up = v > median || (v === median && i % 2 === 0);
      const target = up ? Math.min(255, median + NUDGE_MARGIN) : Math.max(0, median - NUDGE_MARGIN);
      const opacity = up ? (target - v) / Math.max(1, 255 - v) : 1 - target / Math.max(1, v);
      if (opacity <= 0) return;
      const idx = b * band + i;
      const x = (idx % HASH_GRID) * cell;
      const y = Math.floor(idx / HASH_GRID) * cell;
      rects.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${up ? '#ffffff' : '#000000'}" fill-opacity="${Math.min(1, opacity).toFixed(4)}"/>`,
      );
    });
  }
  return rects.join('');
}

async function renderUncached(
  pictureId: string,
  width: number,
  height: number,
  format: PictureFormat,
  quality: number,
): Promise<Buffer> {
  let svg = pictureSvg(pictureId, width, height);
  if (format === 'svg') return Buffer.from(svg);
  if (!isTransparentKind(parsePictureId(pictureId).kind))
    svg = svg.replace(/<\/svg>$/, `${await nudgeLayer(pictureId)}</svg>`);
  const img = sharp(Buffer.from(svg));
  if (format === 'png') return img.png({ compressionLevel: 6 }).toBuffer();
  return img.flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
}

/** LRU by bytes; stores promises so concurrent requests for the same rendering share one render. */
class RenderCache {
  private readonly entries = new Map<string, { promise: Promise<Buffer>; bytes: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly budget: number) {}

  get(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise;
    }
    this.misses++;
    const entry = { promise: make(), bytes: 0 };
    this.entries.set(key, entry);
    entry.promise.then(
      (buf) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = buf.length;
        this.bytes += buf.length;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.budget) return;
      if (entry.bytes === 0) continue; // still rendering
      this.entries.delete(key);
      this.bytes -= entry.bytes;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}

const cache = new RenderCache(256 * 1024 * 1024);

/** Deterministic bytes for a picture at a size. `quality` only affects JPEG. */
export function renderPicture(
  pictureId: string,
  width: number,
  height: number,
  format: PictureFormat,
  quality = 90,
): Promise<Buffer> {
  const w = Math.max(1, Math.round(width));
  const h = Math.max(1, Math.round(height));
  const q = format === 'jpeg' ? quality : 0;
  return cache.get(`${pictureId}|${w}x${h}|${format}|${q}`, () => renderUncached(pictureId, w, h, format, q));
}

export function renderCacheInfo(): { entries: number; bytes: number; hits: number; misses: number } {
  return { ...cache.size, hits: cache.hits, misses: cache.misses };
}

export function clearRenderCache(): void {
  cache.clear();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([len, typeAndData, crc]);
}

export const BOMB_WIDTH = 32000;
export const BOMB_HEIGHT = 18839;

/**
 * A PNG whose header declares 32000×18839 RGB (~1.8 GB decoded) but which carries only a couple
 * of rows of data: a decoder that trusts the header allocates before noticing.
 */
export function bombPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(BOMB_WIDTH, 0);
  ihdr.writeUInt32BE(BOMB_HEIGHT, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type RGB
  ihdr.writeUInt8(0, 10);
  ihdr.writeUInt8(0, 11);
  ihdr.writeUInt8(0, 12);
  const rows = Buffer.alloc((BOMB_WIDTH * 3 + 1) * 2); // filter byte 0 + black pixels, two rows
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
