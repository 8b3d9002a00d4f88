import { XMLParser } from 'fast-xml-parser';
import type { CastMember, ItemFields, Rating } from '../../../shared/fields.ts';
import { xmlProblem } from './xml-check.ts';

/*
 * Reads Kodi movie NFOs: full XML (`<movie>…</movie>`), XML followed by a provider URL, and
 * URL-only files. A strict well-formedness pass (xml-check.ts) decides malformed or not, then
 * fast-xml-parser builds the tree. Entity expansion is off (a DOCTYPE is dropped unread); only
 * the five XML entities and numeric character references are decoded, by us.
 */

export interface NfoInfo {
  /** How the file was understood. */
  kind: 'xml' | 'url' | 'invalid';
  /** A reason to show the user when the file could not be read (ids found anyway are kept). */
  error: string | null;
  tmdbId: number | null;
  imdbId: string | null;
  /** Metadata fields found (whitelisted names only); empty for URL-only files. */
  fields: ItemFields;
}

/** NFOs larger than this are not movie NFOs (or are broken) and are not parsed. */
export const NFO_MAX_BYTES = 2 * 1024 * 1024;

// Repeated tags come back as arrays and single ones as values; list()/text() below accept both,
// so no isArray callback (and no jPath strings, which cost a fifth of the parse) is needed.
const parser = new XMLParser({
  jPath: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const IMDB_URL = /imdb\.[a-z.]+\/title\/(tt\d{7,10})/i;
const TMDB_URL = /themoviedb\.org\/movie\/(\d{1,9})/i;
const IMDB_ID = /^tt\d{7,10}$/;
const DOCTYPE = /<!DOCTYPE[^[>]*(\[[\s\S]*?\]\s*)?>/i;

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|lt|gt|amp|quot|apos);/gi, (all, e: string) => {
    const k = e.toLowerCase();
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'amp') return '&';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}

type Node = unknown;

function text(node: Node): string | null {
  if (node === null || node === undefined) return null;
  if (typeof node === 'string') return decodeEntities(node).trim() || null;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'object') return text((node as Record<string, Node>)['#text']);
  return null;
}

function list(node: Node): Node[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

function texts(node: Node): string[] {
  const out: string[] = [];
  for (const n of list(node)) {
    const t = text(n);
    // Kodi tools sometimes pack several values into one tag, "Action / Drama".
    if (t) for (const part of t.split(/\s+\/\s+/)) if (part.trim() && !out.includes(part.trim())) out.push(part.trim());
  }
  return out;
}

function int(node: Node, min: number, max: number): number | null {
  const t = text(node);
  if (!t || !/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

function attr(node: Node, name: string): string | null {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return null;
  const v = (node as Record<string, Node>)[`@_${name}`];
  return typeof v === 'string' ? decodeEntities(v).trim() : null;
}

function tmdbFrom(value: string | null): number | null {
  if (!value || !/^\d{1,9}$/.test(value)) return null;
  const n = Number(value);
  return n > 0 ? n : null;
}

function imdbFrom(value: string | null): string | null {
  const v = value?.toLowerCase() ?? null;
  return v && IMDB_ID.test(v) ? v : null;
}

/** Ids in provider URLs anywhere in the text (URL-only NFOs, combination NFOs). */
function idsFromUrls(s: string): { tmdbId: number | null; imdbId: string | null } {
  return {
    tmdbId: tmdbFrom(TMDB_URL.exec(s)?.[1] ?? null),
    imdbId: imdbFrom(IMDB_URL.exec(s)?.[1] ?? null),
  };
}

/** Best-effort ids from a file that is not well-formed XML. */
function idsFromBrokenXml(s: string): { tmdbId: number | null; imdbId: string | null } {
  const urls = idsFromUrls(s);
  const tmdb =
    /<uniqueid[^>]*type\s*=\s*["']tmdb["'][^>]*>\s*(\d{1,9})\s*</i.exec(s)?.[1] ??
    /<tmdbid>\s*(\d{1,9})\s*</i.exec(s)?.[1];
  const imdb = /\b(tt\d{7,10})\b/.exec(s)?.[1];
  return { tmdbId: urls.tmdbId ?? tmdbFrom(tmdb ?? null), imdbId: urls.imdbId ?? imdbFrom(imdb ?? null) };
}

/** Decodes bytes as the XML declaration says (UTF-8 when it says nothing); strips a BOM. */
export function decodeNfo(bytes: Buffer): string {
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  let label = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (declared && declared !== 'utf-8' && declared !== 'utf8') label = declared;
  try {
    return new TextDecoder(label).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
  }
}

function parseRatings(movie: Record<string, Node>): Rating[] {
  const ratings: Rating[] = [];
  const container = movie.ratings;
  const entries = container && typeof container === 'object' ? list((container as Record<string, Node>).rating) : [];
  for (const r of entries) {
    const o = (r && typeof r === 'object' ? r : {}) as Record<string, Node>;
    const value = Number(text(o.value));
    if (!Number.isFinite(value)) continue;
    ratings.push({
      source: attr(r, 'name') ?? 'default',
      value,
      votes: Number(text(o.votes)?.replace(/[,.\s]/g, '')) || 0,
      max: Number(attr(r, 'max')) || 10,
    });
  }
  if (ratings.length === 0) {
    // Legacy single <rating>8.1</rating><votes>…</votes>
    const value = Number(text(movie.rating));
    if (Number.isFinite(value) && text(movie.rating) !== null) {
      ratings.push({
        source: 'default',
        value,
        votes: Number(text(movie.votes)?.replace(/[,.\s]/g, '')) || 0,
        max: 10,
      });
    }
  }
  return ratings;
}

function parseCast(movie: Record<string, Node>): CastMember[] {
  const cast: CastMember[] = [];
  for (const [i, a] of list(movie.actor).entries()) {
    if (!a || typeof a !== 'object') continue;
    const o = a as Record<string, Node>;
    const name = text(o.name);
    if (!name) continue;
    cast.push({
      name,
      role: text(o.role) ?? '',
      order: int(o.order, 0, 100000) ?? i,
      profileUrl: text(o.thumb),
      tmdbId: tmdbFrom(text(o.tmdbid)),
    });
  }
  return cast;
}

function fieldsOf(movie: Record<string, Node>): ItemFields {
  const f: ItemFields = {};
  const set = (key: keyof ItemFields, value: unknown) => {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    (f as Record<string, unknown>)[key] = value;
  };
  set('title', text(movie.title));
  set('originalTitle', text(movie.originaltitle));
  set('sortTitle', text(movie.sorttitle));
  const premiered = text(movie.premiered) ?? text(movie.releasedate) ?? text(movie.aired);
  const releaseDate = premiered && /^\d{4}-\d{2}-\d{2}$/.test(premiered) ? premiered : null;
  set('releaseDate', releaseDate);
  set('year', int(movie.year, 1800, 2200) ?? (releaseDate ? Number(releaseDate.slice(0, 4)) : null));
  set('plot', text(movie.plot));
  set('outline', text(movie.outline));
  set('tagline', text(movie.tagline));
  set('runtime', int(movie.runtime, 1, 100000));
  set('certification', text(movie.mpaa) ?? text(movie.certification));
  set('genres', texts(movie.genre));
  set('studios', texts(movie.studio));
  set('countries', texts(movie.country));
  set('directors', texts(movie.director));
  set('writers', texts(movie.credits));
  const setNode = movie.set;
  set(
    'collection',
    setNode && typeof setNode === 'object' && !Array.isArray(setNode)
      ? text((setNode as Record<string, Node>).name)
      : text(setNode),
  );
  set('ratings', parseRatings(movie));
  set('cast', parseCast(movie));
  return f;
}

function idsOf(movie: Record<string, Node>): { tmdbId: number | null; imdbId: string | null } {
  let tmdbId: number | null = null;
  let imdbId: string | null = null;
  for (const u of list(movie.uniqueid)) {
    const type = attr(u, 'type')?.toLowerCase();
    const value = text(u);
    if (type === 'tmdb') tmdbId ??= tmdbFrom(value);
    else if (type === 'imdb') imdbId ??= imdbFrom(value);
  }
  tmdbId ??= tmdbFrom(text(movie.tmdbid));
  imdbId ??= imdbFrom(text(movie.imdbid)) ?? imdbFrom(text(movie.imdb));
  // Legacy <id>: an IMDb id, or the TMDB id written by the TMDB scraper.
  const legacy = text(movie.id);
  imdbId ??= imdbFrom(legacy);
  tmdbId ??= tmdbFrom(legacy);
  return { tmdbId, imdbId };
}

/** Understands one NFO's text. Never throws: problems come back as `error`. */
export function readNfoText(raw: string): NfoInfo {
  const textAll = raw.replace(/^\uFEFF/, '');
  const trimmed = textAll.trim();
  if (!trimmed.startsWith('<')) {
    const ids = idsFromUrls(trimmed);
    if (ids.tmdbId !== null || ids.imdbId !== null) return { kind: 'url', error: null, ...ids, fields: {} };
    return {
      kind: 'invalid',
      error: 'The NFO holds neither XML nor a TMDB/IMDb link',
      tmdbId: null,
      imdbId: null,
      fields: {},
    };
  }
  // A combination NFO is XML followed by a provider URL; validate only the XML part. A DOCTYPE
  // is dropped unread: NFOs never need one, and its entities are never expanded.
  const close = trimmed.toLowerCase().lastIndexOf('</movie>');
  const xml = (close >= 0 ? trimmed.slice(0, close + '</movie>'.length) : trimmed).replace(DOCTYPE, '');
  const tail = close >= 0 ? trimmed.slice(close + '</movie>'.length) : '';
  const problem = xmlProblem(xml);
  if (problem) {
    return {
      kind: 'invalid',
      error: `The NFO is not well-formed XML (${problem})`,
      ...idsFromBrokenXml(trimmed),
      fields: {},
    };
  }
  let doc: Record<string, Node>;
  try {
    doc = parser.parse(xml) as Record<string, Node>;
  } catch (err) {
    return {
      kind: 'invalid',
      error: `The NFO could not be read (${(err as Error).message})`,
      ...idsFromBrokenXml(trimmed),
      fields: {},
    };
  }
  const movie = doc.movie;
  if (!movie || typeof movie !== 'object' || Array.isArray(movie)) {
    const root = Object.keys(doc).find((k) => !k.startsWith('?'));
    return {
      kind: 'invalid',
      error: root ? `The NFO describes a <${root}>, not a <movie>` : 'The NFO has no <movie> element',
      ...idsFromUrls(tail),
      fields: {},
    };
  }
  const m = movie as Record<string, Node>;
  const ids = idsOf(m);
  const urlIds = idsFromUrls(tail);
  return {
    kind: 'xml',
    error: null,
    tmdbId: ids.tmdbId ?? urlIds.tmdbId,
    imdbId: ids.imdbId ?? urlIds.imdbId,
    fields: fieldsOf(m),
  };
}

/** Reads NFO bytes (see {@link readNfoText}); refuses oversized files. */
export function readNfo(bytes: Buffer): NfoInfo {
  if (bytes.length > NFO_MAX_BYTES) {
    return {
      kind: 'invalid',
      error: `The NFO is too large (${bytes.length} bytes)`,
      tmdbId: null,
      imdbId: null,
      fields: {},
    };
  }
  if (bytes.length === 0) return { kind: 'invalid', error: 'The NFO is empty', tmdbId: null, imdbId: null, fields: {} };
  return readNfoText(decodeNfo(bytes));
}
