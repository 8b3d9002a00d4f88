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
  { bytes: ascii('ftyp'), offset: 4, result: refused('an AVIF/HEIF image (only JPEG, PNG, WebP and SVG are accepted)') },
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
  { test: (t) => /^(<!doctype\s+html|<html|<head|<body|<!--|<title|<meta)/i.test(t), result: refused('an HTML page served as an image') },
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
  const ext = nameOrUrl?.split(/[?#]/)[0]?.match(/\.([a-z0-9]{2,5})$/i)?.[1]?.toLowerCase();
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
