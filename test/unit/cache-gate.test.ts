import { bmvbhash } from 'blockhash-core';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATE_LIMITS, inspectImage, Rejection } from '../../main/core/cache/gate.ts';
import { blockhashPixels, hammingDistance, perceptualHash } from '../../main/core/select/phash.ts';
import { bombPng, renderPicture } from '../fakes/images.ts';

const POSTER = 'poster.t.0123456789ab';
const OTHER = 'poster.n.ba9876543210';
let jpeg: Buffer;

beforeAll(async () => {
  jpeg = await renderPicture(POSTER, 2000, 3000, 'jpeg');
});

async function refusal(bytes: Buffer): Promise<string> {
  const err = await inspectImage(bytes, { thumbnail: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Rejection);
  return (err as Rejection).reason;
}

describe('the validation gate', () => {
  it('reads size and format, and makes the hash and a 342 px WebP thumbnail from one decode', async () => {
    const r = await inspectImage(jpeg, { thumbnail: true });
    expect(r).toMatchObject({ format: 'jpeg', width: 2000, height: 3000, converted: false });
    expect(r.bytes).toBe(jpeg);
    expect(r.phash).toMatch(/^[0-9a-f]{64}$/);
    expect(await sharp(r.thumb!).metadata()).toMatchObject({ format: 'webp', width: 342, height: 513 });
    expect((await inspectImage(jpeg, { thumbnail: false })).thumb).toBeNull();
  });

  it('hashes like the select domain hashes a full decode, so look-alikes still match', async () => {
    const ours = (await inspectImage(jpeg, { thumbnail: true })).phash;
    const direct = await perceptualHash(sharp(jpeg));
    // Without a thumbnail the hash's own decode is the one decode: exactly the select domain's hash.
    expect((await inspectImage(jpeg, { thumbnail: false })).phash).toBe(direct);
    // With one, the hash comes from the thumbnail-sized decode: a bit or two apart at most.
    expect(hammingDistance(ours, direct)).toBeLessThanOrEqual(4);
    const smallPng = await renderPicture(POSTER, 500, 750, 'png');
    expect(hammingDistance(ours, (await inspectImage(smallPng, { thumbnail: false })).phash)).toBeLessThanOrEqual(8);
    const different = await renderPicture(OTHER, 2000, 3000, 'jpeg');
    expect(hammingDistance(ours, (await inspectImage(different, { thumbnail: false })).phash)).toBeGreaterThan(20);
  });

  it('serves an image up to 1.5 × the thumbnail width as its own thumbnail', async () => {
    const small = await renderPicture(POSTER, 500, 750, 'jpeg');
    expect((await inspectImage(small, { thumbnail: true })).thumb).toBeNull();
  });

  it.each([
    ['greyscale JPEG', (s: Sharp) => s.greyscale().jpeg()],
    ['CMYK JPEG', (s: Sharp) => s.toColourspace('cmyk').jpeg()],
    ['16-bit PNG', (s: Sharp) => s.toColourspace('rgb16').png()],
    ['WebP with alpha', (s: Sharp) => s.ensureAlpha(0.5).webp()],
  ])('accepts a %s', async (_name, encode) => {
    const bytes = await encode(sharp(jpeg).resize(600)).toBuffer();
    const r = await inspectImage(bytes, { thumbnail: true });
    expect(r.width).toBe(600);
    expect(r.phash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.thumb).not.toBeNull();
  });

  it('records the size as displayed when EXIF says the camera was turned', async () => {
    const turned = await sharp(jpeg).resize(600, 900).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const r = await inspectImage(turned, { thumbnail: true });
    expect(r).toMatchObject({ width: 900, height: 600 });
    expect(await sharp(r.thumb!).metadata()).toMatchObject({ width: 342, height: 228 });
  });

  it('rasterises SVG to PNG with its long side bounded, whatever size it declares', async () => {
    const svg = (w: number, h: number) =>
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 100 40"><rect width="60" height="40" fill="#c33"/></svg>`);
    const normal = await inspectImage(svg(800, 320), { thumbnail: false });
    expect(normal).toMatchObject({ format: 'png', converted: true, width: GATE_LIMITS.svgLongSide, height: 800 });
    expect((await sharp(normal.bytes).metadata()).hasAlpha).toBe(true);
    expect((await inspectImage(svg(100_000, 40_000), { thumbnail: false })).width).toBe(GATE_LIMITS.svgLongSide);
    // A 1 px declaration cannot ask for a 2000× render: the density is capped.
    expect((await inspectImage(svg(1, 1), { thumbnail: false })).width).toBeLessThanOrEqual(16);
  });

  it.each([
    ['zero bytes', Buffer.alloc(0), 'an empty body'],
    ['HTML', Buffer.from('<html><body>nope</body></html>'), 'an HTML page'],
    ['a JPEG cut off', () => jpeg.subarray(0, jpeg.length >> 1), 'premature end of JPEG'],
    ['a JPEG header and nothing else', () => jpeg.subarray(0, 600), 'JPEG'],
    ['a decompression bomb', bombPng(), 'declares 32000×18839 pixels'],
    ['an SVG fetching a URL', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>'), 'outside files or URLs'],
    ['an SVG with CSS imports', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><style>@import "x.css";</style></svg>'), 'outside files or URLs'],
    ['an SVG without a size', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'SVG'],
  ])('refuses %s', async (_name, input, reason) => {
    const bytes = typeof input === 'function' ? input() : input;
    expect(await refusal(bytes)).toContain(reason);
  });
});

describe('the gate reads sizes from the header, and hashes the thumbnail decode', () => {
  it('refuses a JPEG declaring 60000×60000 pixels from its header alone', async () => {
    // SOI, a frame header (8-bit, 60000 × 60000, 3 components), a scan header, and no data.
    const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
    const sos = [0xff, 0xda, 0x00, 0x0c, 0x03, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0];
    expect(await refusal(Buffer.from([0xff, 0xd8, ...sof, ...sos]))).toContain('declares 60000×60000 pixels');
  });

  it('asks libvips when the header holds something it does not read itself (a PNG turned by EXIF)', async () => {
    const turned = await sharp(jpeg).resize(600, 900).withMetadata({ orientation: 6 }).png().toBuffer();
    const r = await inspectImage(turned, { thumbnail: true });
    expect(r).toMatchObject({ format: 'png', width: 900, height: 600 });
    expect(await sharp(r.thumb!).metadata()).toMatchObject({ width: 342, height: 228 });
  });

  it('hashes a transparent logo at the hash grid, as the select domain does', async () => {
    const logo = await renderPicture('logo.n.0123456789ab', 800, 310, 'png');
    const r = await inspectImage(logo, { thumbnail: true });
    expect(r.thumb).not.toBeNull();
    expect((await sharp(r.thumb!).metadata()).hasAlpha).toBe(true);
    expect(hammingDistance(r.phash, await perceptualHash(sharp(logo)))).toBeLessThanOrEqual(16);
  });

  it('blockhashPixels gives the bits bmvbhash gives, for any size, with or without alpha', () => {
    let seed = 1;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (const [width, height] of [[128, 128], [342, 513], [342, 63], [17, 33], [1, 1], [500, 281]] as const) {
      const rgba = Buffer.alloc(width * height * 4);
      for (let i = 0; i < rgba.length; i++) rgba[i] = next();
      for (let i = 3; i < rgba.length; i += 8) rgba[i] = 0; // some pixels fully transparent
      expect(blockhashPixels(rgba, width, height, 4)).toBe(bmvbhash({ width, height, data: rgba }, 16));
      const rgb = Buffer.alloc(width * height * 3);
      const opaque = Buffer.alloc(width * height * 4, 255);
      for (let p = 0; p < width * height; p++) {
        for (let c = 0; c < 3; c++) rgb[p * 3 + c] = opaque[p * 4 + c] = rgba[p * 4 + c]!;
      }
      expect(blockhashPixels(rgb, width, height, 3)).toBe(bmvbhash({ width, height, data: opaque }, 16));
    }
  });
});
