import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATE_LIMITS, inspectImage, Rejection } from '../../main/core/cache/gate.ts';
import { hammingDistance, perceptualHash } from '../../main/core/select/phash.ts';
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
