import { TextDecoder } from 'node:util';
import type { CastMember, ItemFields, Rating } from '../../../shared/fields.ts';
import { parseXml, type XmlElement } from './xml-tree.ts';

/*
 * Reads Kodi movie NFOs: full XML (`<movie>…</movie>`), XML followed by a provider URL, and
 * URL-only files. One strict pass (xml-tree.ts) both decides malformed or not and builds the
 * element tree, so a half-written file is reported instead of half-read. Entities are never
 * expanded (a DOCTYPE is skipped unread); only the five XML entities and numeric character
 * references are decoded. A value holding any other reference (`&title;`) is not what its author
 * meant: it is left out, and the file is reported with its other fields and ids kept.
 */

export interface NfoInfo {
  /** How the file was understood. */
  kind: 'xml' | 'url' | 'invalid';
  /**
   * A reason to show the user when the file could not be read (ids found anyway are kept), or,
   * for `xml`, what was left out of a file otherwise read.
   */
  error: string | null;
  tmdbId: number | null;
  imdbId: string | null;
  /** Metadata fields found (whitelisted names only); empty for URL-only files. */
  fields: ItemFields;
}

/** NFOs larger than this are not movie NFOs (or are broken) and are not parsed. */
export const NFO_MAX_BYTES = 2 * 1024 * 1024;

const IMDB_URL = /imdb\.[a-z.]+\/title\/(tt\d{7,10})/i;
const TMDB_URL = /themoviedb\.org\/movie\/(\d{1,9})/i;
const IMDB_ID = /^tt\d{7,10}$/;
const PACKED = /\s+\/\s+/;
const MOVIE_CLOSE = '</movie>';

/**
 * A <movie>'s children by name, in document order, built once so each field is one lookup. When
 * a tag repeats, single-valued fields read the first one, even if it is empty.
 */
type Index = Map<string, XmlElement[]>;

function childrenByName(el: XmlElement): Index {
  const index: Index = new Map();
  for (const child of el.children) {
    const same = index.get(child.name);
    if (same) same.push(child);
    else index.set(child.name, [child]);
  }
  return index;
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (el) for (const c of el.children) if (c.name === name) return c;
  return undefined;
}

/** An element's trimmed text; null when empty or when it holds an entity that is not expanded. */
function text(el: XmlElement | undefined): string | null {
  return el && el.unexpanded === null ? el.text.trim() || null : null;
}

function texts(els: readonly XmlElement[] | undefined): string[] {
  const out: string[] = [];
  for (const el of els ?? []) {
    const t = text(el);
    if (!t) continue;
    // Kodi tools sometimes pack several values into one tag, "Action / Drama".
    for (const part of t.includes('/') ? t.split(PACKED) : [t]) {
      const p = part.trim();
      if (p && !out.includes(p)) out.push(p);
    }
  }
  return out;
}

function int(el: XmlElement | undefined, min: number, max: number): number | null {
  const t = text(el);
  if (!t || !/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

function attr(el: XmlElement | undefined, name: string): string | null {
  return el?.attrs[name]?.trim() ?? null;
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

// Decoders are stateless between non-streaming calls; making one per file cost more than
// decoding a small NFO. Only labels the platform knows get here, so the cache stays small.
const decoders = new Map<string, TextDecoder>();

function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) decoders.set(label, (d = new TextDecoder(label)));
  return d;
}

/** Decodes bytes as the XML declaration says (UTF-8 when it says nothing); strips a BOM. */
export function decodeNfo(bytes: Buffer): string {
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  let label = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (declared && declared !== 'utf-8' && declared !== 'utf8') label = declared;
  let d: TextDecoder;
  try {
    d = decoder(label);
  } catch {
    d = decoder('utf-8');
  }
  const text = d.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function votesOf(el: XmlElement | undefined): number {
  return Number(text(el)?.replace(/[,.\s]/g, '')) || 0;
}

function parseRatings(movie: Index): Rating[] {
  const ratings: Rating[] = [];
  for (const r of movie.get('ratings')?.[0]?.children ?? []) {
    if (r.name !== 'rating') continue;
    // A <rating> without <value> reads as 0, as it always has; one with an unreadable value is skipped.
    const valueEl = child(r, 'value');
    if (valueEl?.unexpanded) continue;
    const value = Number(text(valueEl));
    if (!Number.isFinite(value)) continue;
    ratings.push({
      source: attr(r, 'name') ?? 'default',
      value,
      votes: votesOf(child(r, 'votes')),
      max: Number(attr(r, 'max')) || 10,
    });
  }
  if (ratings.length === 0) {
    // Legacy single <rating>8.1</rating><votes>…</votes>
    const legacy = text(movie.get('rating')?.[0]);
    const value = Number(legacy);
    if (legacy !== null && Number.isFinite(value))
      ratings.push({ source: 'default', value, votes: votesOf(movie.get('votes')?.[0]), max: 10 });
  }
  return ratings;
}

function parseCast(movie: Index): CastMember[] {
  const cast: CastMember[] = [];
  const actors = movie.get('actor') ?? [];
  for (let i = 0; i < actors.length; i++) {
    const a = actors[i]!;
    const name = text(child(a, 'name'));
    if (!name) continue;
    cast.push({
      name,
      role: text(child(a, 'role')) ?? '',
      order: int(child(a, 'order'), 0, 100000) ?? i,
      profileUrl: text(child(a, 'thumb')),
      tmdbId: tmdbFrom(text(child(a, 'tmdbid'))),
    });
  }
  return cast;
}

function fieldsOf(movie: Index): ItemFields {
  const f: ItemFields = {};
  const set = (key: keyof ItemFields, value: unknown) => {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    (f as Record<string, unknown>)[key] = value;
  };
  const one = (name: string) => text(movie.get(name)?.[0]);
  set('title', one('title'));
  set('originalTitle', one('originaltitle'));
  set('sortTitle', one('sorttitle'));
  const premiered = one('premiered') ?? one('releasedate') ?? one('aired');
  const releaseDate = premiered && /^\d{4}-\d{2}-\d{2}$/.test(premiered) ? premiered : null;
  set('releaseDate', releaseDate);
  set('year', int(movie.get('year')?.[0], 1800, 2200) ?? (releaseDate ? Number(releaseDate.slice(0, 4)) : null));
  set('plot', one('plot'));
  set('outline', one('outline'));
  set('tagline', one('tagline'));
  set('runtime', int(movie.get('runtime')?.[0], 1, 100000));
  set('certification', one('mpaa') ?? one('certification'));
  set('genres', texts(movie.get('genre')));
  set('studios', texts(movie.get('studio')));
  set('countries', texts(movie.get('country')));
  set('directors', texts(movie.get('director')));
  set('writers', texts(movie.get('credits')));
  // Kodi writes <set><name>…</name></set>; older tools wrote the name as the text.
  const collection = movie.get('set')?.[0];
  const collectionName = child(collection, 'name');
  set('collection', collectionName ? text(collectionName) : text(collection));
  set('ratings', parseRatings(movie));
  set('cast', parseCast(movie));
  return f;
}

function idsOf(movie: Index): { tmdbId: number | null; imdbId: string | null } {
  let tmdbId: number | null = null;
  let imdbId: string | null = null;
  for (const u of movie.get('uniqueid') ?? []) {
    const type = attr(u, 'type')?.toLowerCase();
    if (type === 'tmdb') tmdbId ??= tmdbFrom(text(u));
    else if (type === 'imdb') imdbId ??= imdbFrom(text(u));
  }
  const one = (name: string) => text(movie.get(name)?.[0]);
  tmdbId ??= tmdbFrom(one('tmdbid'));
  imdbId ??= imdbFrom(one('imdbid')) ?? imdbFrom(one('imdb'));
  // Legacy <id>: an IMDb id, or the TMDB id written by the TMDB scraper.
  const legacy = one('id');
  imdbId ??= imdbFrom(legacy);
  tmdbId ??= tmdbFrom(legacy);
  return { tmdbId, imdbId };
}

/** The <movie> children read above; an entity in any other tag loses nothing worth a warning. */
const READ_TAGS = new Set([
  ...['title', 'originaltitle', 'sorttitle', 'premiered', 'releasedate', 'aired', 'year', 'plot', 'outline'],
  ...['tagline', 'runtime', 'mpaa', 'certification', 'genre', 'studio', 'country', 'director', 'credits'],
  ...['set', 'ratings', 'rating', 'votes', 'actor', 'uniqueid', 'tmdbid', 'imdbid', 'imdb', 'id'],
]);

/** The references flagged in `el` and the elements inside it (explicit stack: NFOs can nest deep). */
function referencesIn(el: XmlElement, flagged: ReadonlySet<XmlElement>): string[] {
  const found: string[] = [];
  const stack = [el];
  for (let e = stack.pop(); e; e = stack.pop()) {
    if (flagged.has(e) && e.unexpanded !== null) found.push(e.unexpanded);
    for (const c of e.children) stack.push(c);
  }
  return found;
}

function listed(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * What the user is told when values held entities that are not expanded (see {@link text});
 * null when none of them was in a tag Posterity reads.
 */
function entityWarning(movie: XmlElement, unexpanded: readonly XmlElement[]): string | null {
  const flagged = new Set(unexpanded);
  const dropped: string[] = [];
  const refs = new Set<string>();
  for (const c of movie.children) {
    if (!READ_TAGS.has(c.name)) continue;
    const found = referencesIn(c, flagged);
    if (found.length > 0 && !dropped.includes(c.name)) dropped.push(c.name);
    for (const r of found) refs.add(r);
  }
  if (dropped.length === 0) return null;
  const others = dropped.filter((t) => t !== 'title').map((t) => `<${t}>`);
  const outcomes = [
    ...(dropped.includes('title') ? ['the title was taken from the folder name'] : []),
    ...(others.length > 0 ? [`${listed(others)} ${others.length === 1 ? 'was' : 'were'} left out`] : []),
  ];
  const which = refs.size === 1 ? 'an entity' : 'entities';
  const shown = [...refs].slice(0, 3).join(', ');
  return `The NFO uses ${which} (${shown}) that Posterity does not expand; ${outcomes.join('; ')}`;
}

/** Where the last `</movie>` starts, any letter case; -1 when there is none. */
function lastMovieClose(s: string): number {
  for (let at = s.lastIndexOf('</'); at !== -1; at = at > 0 ? s.lastIndexOf('</', at - 1) : -1) {
    if (s.startsWith(MOVIE_CLOSE, at) || s.slice(at, at + MOVIE_CLOSE.length).toLowerCase() === MOVIE_CLOSE) return at;
  }
  return -1;
}

/** Understands one NFO's text. Never throws: problems come back as `error`. */
export function readNfoText(raw: string): NfoInfo {
  const textAll = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
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
  // A combination NFO is XML followed by a provider URL; only the XML part must be well-formed.
  const close = lastMovieClose(trimmed);
  const tail = close >= 0 ? trimmed.slice(close + MOVIE_CLOSE.length) : '';
  // With nothing but trailing whitespace around the XML, the untrimmed text parses the same (and
  // keeps its line numbers); V8 scans that flat string faster than a slice of it.
  const xml =
    tail === '' && textAll.startsWith('<')
      ? textAll
      : close >= 0
        ? trimmed.slice(0, close + MOVIE_CLOSE.length)
        : trimmed;
  const parsed = parseXml(xml);
  const { root, problem } = parsed;
  if (root === null) {
    return {
      kind: 'invalid',
      error: `The NFO is not well-formed XML (${problem})`,
      ...idsFromBrokenXml(trimmed),
      fields: {},
    };
  }
  if (root.name !== 'movie') {
    return {
      kind: 'invalid',
      error: `The NFO describes a <${root.name}>, not a <movie>`,
      ...idsFromUrls(tail),
      fields: {},
    };
  }
  const movie = childrenByName(root);
  const ids = idsOf(movie);
  const urlIds = idsFromUrls(tail);
  return {
    kind: 'xml',
    error: parsed.unexpanded.length > 0 ? entityWarning(root, parsed.unexpanded) : null,
    tmdbId: ids.tmdbId ?? urlIds.tmdbId,
    imdbId: ids.imdbId ?? urlIds.imdbId,
    fields: fieldsOf(movie),
  };
}

/**
 * Reads NFO bytes (see {@link readNfoText}); refuses oversized files. `size` is the whole file's
 * when only its start was read (a file too large to parse is never read whole).
 */
export function readNfo(bytes: Buffer, size = bytes.length): NfoInfo {
  if (size > NFO_MAX_BYTES) {
    return {
      kind: 'invalid',
      error: `The NFO is too large (${size} bytes)`,
      tmdbId: null,
      imdbId: null,
      fields: {},
    };
  }
  if (size === 0) return { kind: 'invalid', error: 'The NFO is empty', tmdbId: null, imdbId: null, fields: {} };
  return readNfoText(decodeNfo(bytes));
}
