/**
 * The image formats the cache stores, and recognition of what a body really is from its first
 * bytes. A provider's Content-Type or a file's extension is only a claim; these bytes decide.
 */

export type StoredFormat = 'jpeg' | 'png' | 'webp';

export interface FormatSpec {
  ext: string;
  mime: string;
}

/** Everything a blob may be; Kodi, Jellyfin, Plex and browsers all read these three. */
export const STORED_FORMATS: Readonly<Record<StoredFormat, FormatSpec>> = {
  jpeg: { ext: 'jpg', mime: 'image/jpeg' },
  png: { ext: 'png', mime: 'image/png' },
  webp: { ext: 'webp', mime: 'image/webp' },
};

export type Sniffed =
  | { kind: 'image'; format: StoredFormat }
  /** SVG logos (TMDB serves some) are rasterised to PNG before they are stored. */
  | { kind: 'svg' }
  | { kind: 'refused'; reason: string };

interface Signature {
  /** Bytes at `offset`; `null` matches any byte. */
  bytes: (number | null)[];
  offset?: number;
  result: Sniffed;
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const refused = (reason: string): Sniffed => ({ kind: 'refused', reason });

/** Binary signatures, first match wins. Formats we do not store are named so the reason is useful. */
const SIGNATURES: readonly Signature[] = [
  { bytes: [0xff, 0xd8, 0xff], result: { kind: 'image', format: 'jpeg' } },
  { bytes: [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a], result: { kind: 'image', format: 'png' } },
  { bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WEBP')], result: { kind: 'image', format: 'webp' } },
  { bytes: ascii('GIF8'), result: refused('a GIF image (only JPEG, PNG, WebP and SVG are accepted)') },
  { bytes: ascii('BM'), result: refused('a BMP image (only JPEG, PNG, WebP and SVG are accepted)') },
  { bytes: [0x49, 0x49, 0x2a, 0x00], result: refused('a TIFF image (only JPEG, PNG, WebP and SVG are accepted)') },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], result: refused('a TIFF image (only JPEG, PNG, WebP and SVG are accepted)') },
  {
    bytes: ascii('ftyp'),
    offset: 4,
    result: refused('an AVIF/HEIF image (only JPEG, PNG, WebP and SVG are accepted)'),
  },
  { bytes: ascii('%PDF'), result: refused('a PDF document, not an image') },
  { bytes: [0x50, 0x4b, 0x03, 0x04], result: refused('a ZIP archive, not an image') },
];

function matches(head: Uint8Array, sig: Signature): boolean {
  const offset = sig.offset ?? 0;
  if (head.length < offset + sig.bytes.length) return false;
  return sig.bytes.every((b, i) => b === null || head[offset + i] === b);
}

/** Text bodies: SVG, or what an error page or API answer served in place of an image looks like. */
const TEXT_KINDS: readonly { test: (text: string) => boolean; result: Sniffed }[] = [
  { test: (t) => /^<svg[\s>]/i.test(t), result: { kind: 'svg' } },
  // An XML prolog, comments or a doctype (possibly with an internal subset) before the root.
  { test: (t) => /^(<\?xml|<!--|<!doctype\s+svg)/i.test(t) && /<svg[\s>]/i.test(t), result: { kind: 'svg' } },
  {
    test: (t) => /^(<!doctype\s+html|<html|<head|<body|<!--|<title|<meta)/i.test(t),
    result: refused('an HTML page served as an image'),
  },
  { test: (t) => /^[{[]/.test(t), result: refused('a JSON document served as an image') },
  { test: (t) => /^<\?xml/i.test(t), result: refused('an XML document that is not SVG') },
];

/**
 * What a body really is, from its first bytes (4 KB is plenty). Never trusts a declared type.
 */
export function sniffFormat(head: Uint8Array): Sniffed {
  if (head.length === 0) return refused('an empty body (0 bytes)');
  for (const sig of SIGNATURES) if (matches(head, sig)) return sig.result;
  const text = Buffer.from(head.subarray(0, 4096))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  for (const kind of TEXT_KINDS) if (kind.test(text)) return kind.result;
  if (isPrintable(text.slice(0, 256))) return refused('plain text, not an image');
  return refused('not a recognised image format');
}

/** The format a Content-Type or file extension claims, for noting mismatches; null when it claims none. */
export function declaredFormat(contentType: string | undefined, nameOrUrl: string | undefined): string | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type) {
    if (type === 'image/jpeg' || type === 'image/jpg' || type === 'image/pjpeg') return 'jpeg';
    if (type === 'image/png') return 'png';
    if (type === 'image/webp') return 'webp';
    if (type === 'image/svg+xml') return 'svg';
    if (type !== 'application/octet-stream' && type !== 'binary/octet-stream') return type;
  }
  const ext = nameOrUrl
    ?.split(/[?#]/)[0]
    ?.match(/\.([a-z0-9]{2,5})$/i)?.[1]
    ?.toLowerCase();
  if (!ext) return null;
  return ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext;
}

/** Printable ASCII, tabs and line breaks only. */
function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return false;
  }
  return true;
}

/** What a stored format's header says, read without libvips. */
export interface ImageHeader {
  /** As stored, before any EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation, 1–8 (1 = as stored; 5–8 swap width and height when displayed). */
  orientation: number;
}

/**
 * The size and orientation an image declares, read straight from its first bytes (JPEG SOF and
 * EXIF, PNG IHDR, WebP VP8/VP8L/VP8X): the gate learns them with no libvips call, and so refuses a
 * decompression bomb before anything is decoded. Null whenever the header is anything but plain
 * (two EXIF blocks, an orientation libvips might read differently, an animated WebP, a PNG or
 * WebP carrying EXIF…): the caller then asks libvips, so the answer is never a guess.
 *
 * `sizeOnly` (a scan sizing the pictures already in a library, with no libvips behind it): the
 * frame's stored size whatever else the header holds; orientation is then always 1.
 */
export function readHeader(
  bytes: Uint8Array,
  format: StoredFormat,
  options: { sizeOnly?: boolean } = {},
): ImageHeader | null {
  const sizeOnly = options.sizeOnly ?? false;
  try {
    return format === 'jpeg'
      ? jpegHeader(bytes, sizeOnly)
      : format === 'png'
        ? pngHeader(bytes, sizeOnly)
        : webpHeader(bytes, sizeOnly);
  } catch {
    return null; // a header that runs past the bytes: libvips gives the reason
  }
}

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u32be = (b: Uint8Array, i: number) => u16be(b, i) * 0x10000 + u16be(b, i + 2);
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => u16le(b, i) + b[i + 2]! * 0x10000;
const u32le = (b: Uint8Array, i: number) => u16le(b, i) + u16le(b, i + 2) * 0x10000;
const fourcc = (b: Uint8Array, i: number) => String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
const bounded = (b: Uint8Array, end: number) => {
  if (end > b.length) throw new RangeError('header past the end');
};

/** JPEG markers that carry a frame's size (SOF0–15 less DHT, JPG and DAC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegHeader(b: Uint8Array, sizeOnly: boolean): ImageHeader | null {
  let size: { width: number; height: number } | null = null;
  let orientation: number | null = 1;
  let exifBlocks = 0;
  let i = 2;
  // Markers up to the first scan: what libjpeg reads as the header.
  for (;;) {
    bounded(b, i + 2);
    if (b[i] !== 0xff) return null;
    let marker = b[i + 1]!;
    while (marker === 0xff) marker = b[++i + 1]!; // fill bytes
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xda) break; // start of scan
    if (marker === 0xd9) return null; // ends before any scan
    bounded(b, i + 4);
    const length = u16be(b, i + 2);
    if (length < 2) return null;
    const data = i + 4;
    const end = i + 2 + length;
    if (sizeOnly && isSof(marker)) {
      bounded(b, data + 5);
      const height = u16be(b, data + 1);
      const width = u16be(b, data + 3);
      return width && height ? { width, height, orientation: 1 } : null;
    }
    bounded(b, end);
    if (isSof(marker)) {
      if (size || length < 7) return null;
      size = { height: u16be(b, data + 1), width: u16be(b, data + 3) };
    } else if (
      marker === 0xe1 &&
      end - data >= 6 &&
      fourcc(b, data) === 'Exif' &&
      b[data + 4] === 0 &&
      b[data + 5] === 0
    ) {
      if (++exifBlocks > 1) return null;
      orientation = exifOrientation(b, data + 6, end);
    }
    i = end;
  }
  // Height 0 means "given later" (a DNL marker): leave that to libvips.
  if (!size || !size.width || !size.height || orientation === null) return null;
  return { ...size, orientation };
}

/** Orientation from a TIFF-structured EXIF block: 1 when absent, null when not plainly 1–8. */
function exifOrientation(b: Uint8Array, tiff: number, end: number): number | null {
  if (end - tiff < 8) return null;
  const order = fourcc(b, tiff);
  const little = order === 'II*\0';
  if (!little && order !== 'MM\0*') return null;
  const u16 = (i: number) => (little ? u16le(b, i) : u16be(b, i));
  const u32 = (i: number) => (little ? u32le(b, i) : u32be(b, i));
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return null;
  const count = u16(ifd);
  if (ifd + 2 + count * 12 > end) return null;
  for (let e = ifd + 2; e < ifd + 2 + count * 12; e += 12) {
    if (u16(e) !== 0x0112) continue;
    // SHORT, one value, 1–8; anything else is left to libvips (and libexif) to interpret.
    if (u16(e + 2) !== 3 || u32(e + 4) !== 1) return null;
    const value = u16(e + 8);
    return value >= 1 && value <= 8 ? value : null;
  }
  return 1;
}

function pngHeader(b: Uint8Array, sizeOnly: boolean): ImageHeader | null {
  bounded(b, 33);
  if (u32be(b, 8) !== 13 || fourcc(b, 12) !== 'IHDR') return null;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  // An eXIf chunk may hold an orientation: libvips reads it.
  for (let i = 33; !sizeOnly && i + 8 <= b.length; i += 12 + u32be(b, i)) {
    const type = fourcc(b, i + 4);
    if (type === 'eXIf') return null;
    if (type === 'IEND') break;
  }
  return width && height ? { width, height, orientation: 1 } : null;
}

function webpHeader(b: Uint8Array, sizeOnly: boolean): ImageHeader | null {
  bounded(b, 30);
  let size: { width: number; height: number } | null = null;
  const first = fourcc(b, 12);
  if (first === 'VP8 ') {
    // Frame tag (3 bytes, bit 0 clear on a key frame), start code, then 14-bit sizes.
    if (b[20]! & 1 || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    size = { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  } else if (first === 'VP8L') {
    if (b[20] !== 0x2f) return null;
    const bits = u32le(b, 21);
    size = { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  } else if (first === 'VP8X') {
    // Animation (0x02) or EXIF (0x08): leave to libvips.
    if (!sizeOnly && b[20]! & 0x0a) return null;
    size = { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  } else {
    return null;
  }
  for (let i = 12; !sizeOnly && i + 8 <= b.length; i += 8 + u32le(b, i + 4) + (u32le(b, i + 4) & 1)) {
    const type = fourcc(b, i);
    if (type === 'EXIF' || type === 'ANIM') return null;
  }
  return size.width && size.height ? { ...size, orientation: 1 } : null;
}

/** How many of a picture's first and of its last bytes {@link damageOf} needs at the least. */
export const DAMAGE_TAIL_BYTES = 64;

/**
 * Whether a picture's bytes stop before its format says they end (a cut-off download or copy),
 * from bytes already in memory, with no decode: a scan runs this on every picture it hashes.
 * `head` is the file's first bytes (the whole file when it has them all), `tail` its last bytes
 * (any amount from {@link DAMAGE_TAIL_BYTES}; a few KB tell more: a long run of padding zeros
 * is skipped, appended data recognised), `size` its full length. Returns
 * why it is damaged (`the JPEG ends early`), or null when it looks whole or the bytes cannot
 * tell: a file is only called damaged when the evidence is plain, never on a guess.
 */
export function damageOf(format: StoredFormat, head: Uint8Array, tail: Uint8Array, size: number): string | null {
  if (format === 'webp') return webpDamage(head, size);
  const end = withoutZeroPadding(tail);
  if (format === 'png') return pngEnds(tail, end) ? null : 'the PNG ends early';
  return jpegDamage(head, tail, end, size);
}

/**
 * Where the tail's content ends once trailing zeros are dropped: some encoders and copiers pad a
 * file to a block size. -1 when the tail is all zeros (a file allocated but never filled).
 */
function withoutZeroPadding(tail: Uint8Array): number {
  let end = tail.length;
  while (end > 0 && tail[end - 1] === 0) end--;
  return end === 0 && tail.length > 0 ? -1 : end;
}

/** A few bytes of something else after the end marker are tolerated (a newline, a stray tag). */
const TRAILING_SLACK = 32;

/** Whether `marker` occurs in `b[from, to)`. */
function holds(b: Uint8Array, from: number, to: number, marker: readonly number[]): boolean {
  outer: for (let i = Math.max(0, from); i + marker.length <= to; i++) {
    for (let j = 0; j < marker.length; j++) if (b[i + j] !== marker[j]) continue outer;
    return true;
  }
  return false;
}

/** The IEND chunk's type and CRC, always these eight bytes. */
const PNG_IEND = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

function pngEnds(tail: Uint8Array, end: number): boolean {
  return end >= 0 && holds(tail, end - PNG_IEND.length - TRAILING_SLACK, end, PNG_IEND);
}

const JPEG_EOI = [0xff, 0xd9];
/**
 * How far back a JPEG without its end marker is looked at: random bytes this long hold a 0xFF
 * that scan data could not, almost surely; a file is seldom missing its end marker, so this
 * costs nothing on a whole one.
 */
const SCAN_WINDOW_BYTES = 4096;

function jpegDamage(head: Uint8Array, tail: Uint8Array, end: number, size: number): string | null {
  if (end < 0) return 'the JPEG ends early';
  if (holds(tail, end - JPEG_EOI.length - TRAILING_SLACK, end, JPEG_EOI)) return null;
  // No end marker. Cut inside the header, before the first scan, is certain when the whole file
  // is in `head`; the header's own markers are then kept out of the look at the scan data below.
  const scan = head.length >= size ? scanStart(head) : 0;
  if (scan < 0) return 'the JPEG ends early';
  const from = Math.max(0, end - SCAN_WINDOW_BYTES, scan - (size - tail.length));
  // Cut inside a scan: the last bytes are entropy-coded data, where 0xFF is only ever followed by
  // a stuffed 0x00, a restart marker or more 0xFF fill. Anything else (an end marker further
  // back included) is data appended after the image, as phones append metadata or a motion clip,
  // or a cut between a progressive JPEG's scans: not plainly damaged, so not called so.
  return looksLikeScanData(tail.subarray(from, end)) ? 'the JPEG ends early' : null;
}

/**
 * Where a JPEG's first scan data begins, following its marker segments through `b`: -1 when the
 * bytes end first, 0 when the markers are not plain enough to follow (nothing is concluded).
 */
function scanStart(b: Uint8Array): number {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return 0;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    const next = i + 2 + u16be(b, i + 2);
    if (marker === 0xda) return next <= b.length ? next : -1;
    i = next;
  }
  return -1;
}

function looksLikeScanData(b: Uint8Array): boolean {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] !== 0xff) continue;
    const next = b[i + 1]!;
    if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return false;
  }
  return true;
}

/** A WebP is one RIFF chunk: 8 bytes of chunk header plus the size it declares (padded to even). */
function webpDamage(head: Uint8Array, size: number): string | null {
  if (head.length < 8) return 'the WebP ends early';
  const riff = u32le(head, 4);
  // Bytes after the chunk are ignored by every decoder; too few bytes are not.
  return size < riff + 8 ? 'the WebP ends early' : null;
}
