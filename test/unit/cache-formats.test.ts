import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DAMAGE_TAIL_BYTES, damageOf, declaredFormat, readHeader, sniffFormat } from '../../main/core/cache/formats.ts';

const bin = (...bytes: number[]) => Uint8Array.from(bytes);
const text = (s: string) => new TextEncoder().encode(s);

describe('sniffFormat: what a body really is, from its first bytes', () => {
  it.each([
    ['JPEG', bin(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), { kind: 'image', format: 'jpeg' }],
    ['PNG', bin(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), { kind: 'image', format: 'png' }],
    ['WebP', text('RIFF\u0010\u0000\u0000\u0000WEBPVP8 '), { kind: 'image', format: 'webp' }],
    ['SVG', text('<svg xmlns="http://www.w3.org/2000/svg"/>'), { kind: 'svg' }],
    [
      'SVG with prolog, BOM and comment',
      text('\uFEFF <?xml version="1.0"?>\n<!-- logo -->\n<svg width="1">'),
      { kind: 'svg' },
    ],
    ['SVG with a doctype subset', text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg>'), { kind: 'svg' }],
  ])('%s is accepted', (_name, head, expected) => {
    expect(sniffFormat(head)).toEqual(expected);
  });

  it.each([
    ['nothing', bin(), 'an empty body (0 bytes)'],
    ['an HTML error page', text('<!DOCTYPE html><html>'), 'an HTML page served as an image'],
    ['an HTML fragment', text('  <html><body>502 Bad Gateway'), 'an HTML page served as an image'],
    ['a JSON error', text('{"status_code":34}'), 'a JSON document served as an image'],
    ['a JSON array', text('[1,2]'), 'a JSON document served as an image'],
    [
      'XML that is not SVG',
      text('<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>'),
      'an XML document that is not SVG',
    ],
    ['a GIF', text('GIF89a'), 'a GIF image (only JPEG, PNG, WebP and SVG are accepted)'],
    ['a BMP', text('BM\u0000\u0000'), 'a BMP image (only JPEG, PNG, WebP and SVG are accepted)'],
    ['a TIFF', bin(0x49, 0x49, 0x2a, 0), 'a TIFF image (only JPEG, PNG, WebP and SVG are accepted)'],
    [
      'an AVIF',
      bin(0, 0, 0, 0x1c, ...text('ftypavif')),
      'an AVIF/HEIF image (only JPEG, PNG, WebP and SVG are accepted)',
    ],
    ['a PDF', text('%PDF-1.7'), 'a PDF document, not an image'],
    ['plain text', text('Forbidden'), 'plain text, not an image'],
    ['random bytes', bin(0x00, 0x01, 0x02, 0xfe, 0x80), 'not a recognised image format'],
  ])('%s is refused with a reason', (_name, head, reason) => {
    expect(sniffFormat(head)).toEqual({ kind: 'refused', reason });
  });
});

describe('declaredFormat: what a Content-Type or name claims', () => {
  it.each([
    ['image/jpeg', undefined, 'jpeg'],
    ['image/jpg; charset=binary', undefined, 'jpeg'],
    ['image/png', 'x.jpg', 'png'],
    ['application/octet-stream', 'https://x/t/p/original/abc.JPG?x=1', 'jpeg'],
    [undefined, '/a/b/logo.svg', 'svg'],
    ['text/html', 'poster.jpg', 'text/html'],
    [undefined, 'https://x/no-extension', null],
  ])('%s / %s → %s', (type, name, expected) => {
    expect(declaredFormat(type, name)).toBe(expected);
  });
});

describe('readHeader: size and orientation from the header bytes, as libvips reads them', () => {
  const base = () => sharp({ create: { width: 640, height: 400, channels: 3, background: '#3a6' } });
  const cases: [string, () => Promise<Buffer>][] = [
    ['baseline JPEG', () => base().jpeg().toBuffer()],
    ['progressive JPEG', () => base().jpeg({ progressive: true }).toBuffer()],
    ['PNG', () => base().png().toBuffer()],
    ['PNG with alpha', () => base().ensureAlpha(0.5).png().toBuffer()],
    ['lossy WebP', () => base().webp().toBuffer()],
    ['lossless WebP', () => base().webp({ lossless: true }).toBuffer()],
    ['WebP with alpha', () => base().ensureAlpha(0.5).webp().toBuffer()],
    ...[1, 2, 3, 4, 5, 6, 7, 8].map((o): [string, () => Promise<Buffer>] => [
      `JPEG with EXIF orientation ${o}`,
      () => base().withMetadata({ orientation: o }).jpeg().toBuffer(),
    ]),
  ];

  it.each(cases)('%s: read without libvips, and exactly as libvips reads it', async (_name, make) => {
    const bytes = await make();
    const sniffed = sniffFormat(bytes);
    if (sniffed.kind !== 'image') throw new Error('not an image');
    const meta = await sharp(bytes).metadata();
    expect(readHeader(bytes, sniffed.format)).toEqual({
      width: meta.width,
      height: meta.height,
      orientation: meta.orientation ?? 1,
    });
  });

  it.each([
    ['a WebP carrying EXIF', () => base().withMetadata({ orientation: 6 }).webp().toBuffer(), 'webp'],
    ['a PNG carrying EXIF', () => base().withMetadata({ orientation: 6 }).png().toBuffer(), 'png'],
    ['a JPEG cut off inside its header', async () => (await base().jpeg().toBuffer()).subarray(0, 40), 'jpeg'],
    [
      'garbage after a JPEG signature',
      async () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 1, 2]),
      'jpeg',
    ],
  ] as const)('leaves %s to libvips (null) rather than guess', async (_name, make, format) => {
    expect(readHeader(await make(), format)).toBeNull();
  });

  it.each([
    ['a WebP carrying EXIF', () => base().withMetadata({ orientation: 6 }).webp().toBuffer(), 'webp'],
    ['a PNG carrying EXIF', () => base().withMetadata({ orientation: 6 }).png().toBuffer(), 'png'],
    ['a JPEG cut off after its frame header', async () => (await base().jpeg().toBuffer()).subarray(0, 300), 'jpeg'],
  ] as const)(
    'with sizeOnly, sizes %s as stored (a library scan has no libvips behind it)',
    async (_name, make, format) => {
      expect(readHeader(await make(), format, { sizeOnly: true })).toEqual({ width: 640, height: 400, orientation: 1 });
    },
  );
});

describe('damageOf: a picture cut short, told from its first and last bytes', () => {
  const base = () =>
    sharp({
      create: {
        width: 320,
        height: 200,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    });
  const check = (format: 'jpeg' | 'png' | 'webp', b: Buffer) =>
    // As a scan calls it: the whole file as its head when it is small, else its first bytes.
    damageOf(format, b.length < 8192 ? b : b.subarray(0, DAMAGE_TAIL_BYTES), b.subarray(-4096), b.length);
  const cut = (b: Buffer, length: number) => b.subarray(0, length);

  it.each<[string, 'jpeg' | 'png' | 'webp', () => Promise<Buffer>]>([
    ['baseline JPEG', 'jpeg', () => base().jpeg().toBuffer()],
    ['progressive JPEG', 'jpeg', () => base().jpeg({ progressive: true }).toBuffer()],
    ['PNG', 'png', () => base().png().toBuffer()],
    ['lossy WebP', 'webp', () => base().webp().toBuffer()],
    ['lossless WebP', 'webp', () => base().webp({ lossless: true }).toBuffer()],
  ])('a whole %s is not damaged, nor with padding after its end', async (_name, format, make) => {
    const b = await make();
    expect(check(format, b)).toBeNull();
    expect(check(format, Buffer.concat([b, Buffer.alloc(2000)]))).toBeNull();
    expect(check(format, Buffer.concat([b, Buffer.from('\r\n')]))).toBeNull();
  });

  it('calls a JPEG cut in its header, in its scan or zero-filled at the end damaged', async () => {
    const b = await base().jpeg().toBuffer();
    expect(check('jpeg', cut(b, 300))).toBe('the JPEG ends early');
    // A small flat picture cut just after its header: its header markers are not taken for appended data.
    const flat = await sharp({ create: { width: 300, height: 450, channels: 3, background: '#824' } })
      .jpeg()
      .toBuffer();
    expect(check('jpeg', cut(flat, 300))).toBe('the JPEG ends early');
    expect(check('jpeg', cut(b, Math.floor(b.length / 2)))).toBe('the JPEG ends early');
    expect(check('jpeg', cut(b, b.length - 2))).toBe('the JPEG ends early');
    // The size of the whole file, its second half never written (an interrupted download).
    const unfilled = Buffer.concat([cut(b, b.length >> 1), Buffer.alloc(b.length - (b.length >> 1))]);
    expect(check('jpeg', unfilled)).toBe('the JPEG ends early');
  });

  it('leaves a JPEG with data appended after its end marker alone (phones add metadata there)', async () => {
    const b = await base().jpeg().toBuffer();
    // Markers that never occur inside scan data: this is something else appended after the image.
    const trailer = Buffer.concat([Buffer.from([0xff, 0xe1, 0x00, 0x10]), Buffer.from('ftypmp42'.repeat(40))]);
    expect(check('jpeg', Buffer.concat([b, trailer]))).toBeNull();
  });

  it('calls a PNG or a WebP cut short damaged', async () => {
    const p = await base().png().toBuffer();
    expect(check('png', cut(p, 300))).toBe('the PNG ends early');
    expect(check('png', cut(p, p.length - 12))).toBe('the PNG ends early');
    expect(check('png', cut(p, p.length - 1))).toBe('the PNG ends early');
    const w = await base().webp().toBuffer();
    expect(check('webp', cut(w, w.length - 1))).toBe('the WebP ends early');
    expect(check('webp', cut(w, 300))).toBe('the WebP ends early');
  });
});
