import type { AssetType } from '../../../shared/asset-types.ts';
import type { CastMember, ItemFields, Rating } from '../../../shared/fields.ts';
import { parseXml, type XmlElement } from '../library/xml-tree.ts';

/**
 * Kodi movie NFO, written from an item's fields and ids (kodi.wiki "NFO files/Movies", Kodi 20).
 * Pure: the same input always gives the same bytes, so an unchanged item never rewrites its NFO
 * (no timestamps inside).
 */

/** What the NFO says about an item. Art and actor pictures are file names relative to the NFO. */
export interface NfoInput {
  title: string;
  year: number | null;
  tmdbId: number | null;
  imdbId: string | null;
  fields: ItemFields;
  /** Published art, rank 0 of each type except fanart (`poster` → `Movie-poster.jpg`). */
  art: Partial<Record<AssetType, string>>;
  /** Published fanart in rank order (rank 0 first), for the `<fanart>` block. */
  fanart: string[];
  /** Actor name → published picture (`.actors/First_Last.jpg`). */
  actorThumbs: ReadonlyMap<string, string>;
}

/**
 * Every element the writer can put directly under `<movie>`, in the order it writes them. What an
 * NFO holds beyond these is the user's (or another tool's), which is why it survives a publish.
 */
export const NFO_ELEMENTS = [
  'title',
  'originaltitle',
  'sorttitle',
  'ratings',
  'outline',
  'plot',
  'tagline',
  'runtime',
  'thumb',
  'fanart',
  'mpaa',
  'uniqueid',
  'genre',
  'country',
  'set',
  'credits',
  'director',
  'premiered',
  'year',
  'studio',
  'actor',
] as const;

export type NfoElement = (typeof NFO_ELEMENTS)[number];

const NFO_VOCABULARY: ReadonlySet<string> = new Set(NFO_ELEMENTS);

/** The NFO already at the path being written, as the publisher found it. */
export interface ExistingNfo {
  /** The file's text, decoded. */
  text: string;
  /** Posterity wrote it (the ledger says published by this item), though the user may have edited it since. */
  ours: boolean;
}

/** Our names for rating sources → the names Kodi's scrapers use. */
const KODI_RATING_NAMES: Readonly<Record<string, string>> = {
  tmdb: 'themoviedb',
  themoviedb: 'themoviedb',
  imdb: 'imdb',
  trakt: 'trakt',
  metacritic: 'metacritic',
  rottentomatoes: 'tomatometerallcritics',
};

/** Rating sources that make the default rating, first present wins. */
const DEFAULT_RATING_ORDER = ['themoviedb', 'imdb'];

/** The first line after the XML declaration, so a person opening the file knows who owns it. */
export const NFO_MARK =
  '<!-- Written by Posterity. Edit the movie in Posterity: changes here are replaced on the next publish. -->';

// XML 1.0 forbids these outright, even escaped; provider text occasionally carries them.
const INVALID_XML_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for an element body or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Builds XML lines with indentation; empty values are left out rather than written empty. */
class XmlLines {
  readonly lines: string[] = [];
  /** Names written directly under the root, so carrying over knows what this render covers. */
  readonly topLevel = new Set<string>();
  private depth = 0;

  open(tag: string, attrs: Record<string, string | number | boolean | null | undefined> = {}): this {
    this.note(tag);
    this.lines.push(`${this.pad()}<${tag}${attrText(attrs)}>`);
    this.depth++;
    return this;
  }

  close(tag: string): this {
    this.depth--;
    this.lines.push(`${this.pad()}</${tag}>`);
    return this;
  }

  leaf(
    tag: string,
    value: string | number | null | undefined,
    attrs: Record<string, string | number | boolean | null | undefined> = {},
  ): this {
    if (value === null || value === undefined) return this;
    const text = typeof value === 'number' ? formatNumber(value) : value.trim();
    if (text === '') return this;
    this.note(tag);
    this.lines.push(`${this.pad()}<${tag}${attrText(attrs)}>${escapeXml(text)}</${tag}>`);
    return this;
  }

  private note(tag: string): void {
    if (this.depth === 1) this.topLevel.add(tag);
  }

  private pad(): string {
    return '  '.repeat(this.depth);
  }
}

function attrText(attrs: Record<string, string | number | boolean | null | undefined>): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    out += ` ${name}="${escapeXml(typeof value === 'number' ? formatNumber(value) : String(value))}"`;
  }
  return out;
}

/** Numbers without float noise (7.300000001 → 7.3) and never in exponent form. */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

function uniqueNonEmpty(list: readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list ?? []) {
    const v = typeof raw === 'string' ? raw.trim() : '';
    if (v && !seen.has(v.toLowerCase())) {
      seen.add(v.toLowerCase());
      out.push(v);
    }
  }
  return out;
}

function kodiRatingName(source: string): string {
  const key = source.trim().toLowerCase();
  return KODI_RATING_NAMES[key] ?? key.replace(/[^a-z0-9]/g, '');
}

/** Ratings with Kodi names, one per source, the default marked. */
function kodiRatings(ratings: readonly Rating[] | undefined): { name: string; rating: Rating; isDefault: boolean }[] {
  const byName = new Map<string, Rating>();
  for (const r of ratings ?? []) {
    if (!r || typeof r.value !== 'number' || !Number.isFinite(r.value)) continue;
    const name = kodiRatingName(r.source);
    if (name && !byName.has(name)) byName.set(name, r);
  }
  const names = [...byName.keys()];
  const defaultName = DEFAULT_RATING_ORDER.find((n) => byName.has(n)) ?? names[0];
  return names.map((name) => ({ name, rating: byName.get(name)!, isDefault: name === defaultName }));
}

/** A date Kodi accepts in `<premiered>` (YYYY-MM-DD), or null. */
function premieredDate(value: string | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

function sortedCast(cast: readonly CastMember[] | undefined): CastMember[] {
  return [...(cast ?? [])]
    .filter((c) => c && typeof c.name === 'string' && c.name.trim() !== '')
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

/**
 * The NFO text for one movie. Elements follow the order Kodi itself writes them in; empty fields
 * are omitted so Kodi falls back to its own data instead of showing blanks. When an NFO is already
 * at the path, what it holds that this render does not cover is carried over (see
 * {@link carriedElements}), so a publish never loses the user's play counts, tags or add-on data.
 */
export function renderMovieNfo(input: NfoInput, existing?: ExistingNfo | null): string {
  const x = movieLines(input);
  const carried = existing ? carriedElements(existing, x.topLevel) : [];
  const kept = NFO_ELEMENTS.filter((name) => carried.some((c) => c.element.name === name));
  const body = x.lines.slice(0, -1);
  for (const c of carried) body.push(...elementLines(c.element, 1, c.namespaces));
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    NFO_MARK,
    ...(kept.length > 0 ? [`${KEPT_MARK_START}${kept.join(', ')}${KEPT_MARK_END}`] : []),
    ...body,
    x.lines[x.lines.length - 1]!,
    '',
  ].join('\n');
}

function movieLines(input: NfoInput): XmlLines {
  const f = input.fields;
  const x = new XmlLines();
  const title = (f.title ?? input.title).trim() || input.title;
  x.open('movie');
  x.leaf('title', title);
  x.leaf('originaltitle', f.originalTitle);
  x.leaf('sorttitle', f.sortTitle);

  const ratings = kodiRatings(f.ratings);
  if (ratings.length > 0) {
    x.open('ratings');
    for (const { name, rating, isDefault } of ratings) {
      x.open('rating', { name, max: rating.max > 0 ? rating.max : 10, default: isDefault });
      x.leaf('value', rating.value);
      x.leaf('votes', Number.isFinite(rating.votes) ? Math.max(0, Math.round(rating.votes)) : null);
      x.close('rating');
    }
    x.close('ratings');
  }

  x.leaf('outline', f.outline);
  x.leaf('plot', f.plot);
  x.leaf('tagline', f.tagline);
  x.leaf('runtime', typeof f.runtime === 'number' && f.runtime > 0 ? Math.round(f.runtime) : null);

  for (const [type, fileName] of Object.entries(input.art) as [AssetType, string][]) {
    if (type === 'fanart') continue;
    x.leaf('thumb', fileName, { aspect: type });
  }
  if (input.fanart.length > 0) {
    x.open('fanart');
    for (const fileName of input.fanart) x.leaf('thumb', fileName);
    x.close('fanart');
  }

  x.leaf('mpaa', f.certification);
  if (input.tmdbId !== null) x.leaf('uniqueid', String(input.tmdbId), { type: 'tmdb', default: true });
  if (input.imdbId) x.leaf('uniqueid', input.imdbId, { type: 'imdb', default: input.tmdbId === null ? true : null });
  for (const genre of uniqueNonEmpty(f.genres)) x.leaf('genre', genre);
  for (const country of uniqueNonEmpty(f.countries)) x.leaf('country', country);
  if (f.collection && f.collection.trim()) {
    x.open('set');
    x.leaf('name', f.collection);
    x.close('set');
  }
  for (const writer of uniqueNonEmpty(f.writers)) x.leaf('credits', writer);
  for (const director of uniqueNonEmpty(f.directors)) x.leaf('director', director);
  const premiered = premieredDate(f.releaseDate);
  x.leaf('premiered', premiered);
  x.leaf('year', f.year ?? input.year ?? (premiered ? Number(premiered.slice(0, 4)) : null));
  for (const studio of uniqueNonEmpty(f.studios)) x.leaf('studio', studio);

  sortedCast(f.cast).forEach((actor, index) => {
    x.open('actor');
    x.leaf('name', actor.name);
    x.leaf('role', actor.role);
    x.leaf('order', Number.isInteger(actor.order) ? actor.order : index);
    x.leaf('thumb', input.actorThumbs.get(actor.name) ?? null);
    x.close('actor');
  });
  x.close('movie');
  return x;
}

/*
 * Carrying over. A foreign NFO gives up only what the render writes itself; everything else of it
 * is kept. An NFO we wrote gives up the whole vocabulary, so a field cleared in Posterity does not
 * come back from our own earlier output — except elements we kept from a foreign NFO: the
 * KEPT_MARK comment names those, so they survive every later publish instead of only the first.
 */

const KEPT_MARK_START = '<!-- Kept from the NFO Posterity replaced: ';
const KEPT_MARK_END = ' -->';

interface Carried {
  element: XmlElement;
  /** Namespace declarations the element relied on from `<movie>`, which it now carries itself. */
  namespaces: Record<string, string>;
}

/** The top-level elements of `existing` that the new NFO keeps, in their order there. */
function carriedElements(existing: ExistingNfo, rendered: ReadonlySet<string>): Carried[] {
  const parsed = parseXml(xmlPart(existing.text));
  if (parsed.root === null || parsed.root.name !== 'movie') return [];
  const keptBefore = existing.ours ? keptMarkNames(existing.text) : null;
  const wanted = (name: string) =>
    !rendered.has(name) && (keptBefore === null || !NFO_VOCABULARY.has(name) || keptBefore.has(name));
  // Undecoded references would be written back as literal text, changing what the author meant.
  const unexpanded = new Set<XmlElement>(parsed.unexpanded);
  const root = parsed.root;
  return root.children
    .filter((el) => wanted(el.name) && !holds(el, (e) => unexpanded.has(e)))
    .map((element) => ({ element, namespaces: inheritedNamespaces(element, root) }));
}

/** A combination NFO is XML followed by a provider URL: the scanner reads the XML part, and so do we. */
function xmlPart(text: string): string {
  const close = text.lastIndexOf('</movie>');
  return close === -1 ? text : text.slice(0, close + '</movie>'.length);
}

/** Vocabulary names an NFO we wrote says it kept from a foreign one. */
function keptMarkNames(text: string): Set<string> {
  const prolog = text.slice(0, Math.max(0, text.indexOf('<movie')));
  const start = prolog.indexOf(KEPT_MARK_START);
  const end = start === -1 ? -1 : prolog.indexOf(KEPT_MARK_END, start + KEPT_MARK_START.length);
  if (end === -1) return new Set();
  const names = prolog.slice(start + KEPT_MARK_START.length, end).split(',');
  return new Set(names.map((n) => n.trim()).filter((n) => NFO_VOCABULARY.has(n)));
}

function holds(el: XmlElement, test: (e: XmlElement) => boolean): boolean {
  return test(el) || el.children.some((c) => holds(c, test));
}

function prefixOf(name: string): string | null {
  const colon = name.indexOf(':');
  return colon > 0 ? name.slice(0, colon) : null;
}

/** `xmlns:p` declarations on `<movie>` for prefixes used inside `el` that `el` does not declare. */
function inheritedNamespaces(el: XmlElement, root: XmlElement): Record<string, string> {
  const used = new Set<string>();
  const collect = (e: XmlElement) => {
    for (const name of [e.name, ...Object.keys(e.attrs)]) {
      const prefix = prefixOf(name);
      if (prefix && prefix !== 'xmlns' && prefix !== 'xml') used.add(prefix);
    }
    e.children.forEach(collect);
  };
  collect(el);
  const out: Record<string, string> = {};
  for (const prefix of used) {
    const decl = `xmlns:${prefix}`;
    const uri = root.attrs[decl];
    if (uri !== undefined && el.attrs[decl] === undefined) out[decl] = uri;
  }
  return out;
}

/** An attribute value; line breaks and tabs as references, so a parser does not fold them to spaces. */
function escapeAttr(value: string): string {
  return escapeXml(value).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function openTag(el: XmlElement, extra: Record<string, string>): string {
  let out = `<${el.name}`;
  for (const [name, value] of Object.entries({ ...el.attrs, ...extra })) out += ` ${name}="${escapeAttr(value)}"`;
  return out;
}

/** Whitespace-only text is indentation (the parser drops most of it already). */
function ownText(el: XmlElement): string {
  return el.text.trim() === '' ? '' : el.text;
}

/** An element on one line, exactly: mixed content has no room for indentation. */
function inlineElement(el: XmlElement, extra: Record<string, string> = {}): string {
  const text = ownText(el);
  if (text === '' && el.children.length === 0) return `${openTag(el, extra)}/>`;
  return `${openTag(el, extra)}>${escapeXml(text)}${el.children.map((c) => inlineElement(c)).join('')}</${el.name}>`;
}

/**
 * An element re-serialised with the writer's indentation. Reading the result back gives the same
 * tree, so a second publish writes the same bytes.
 */
function elementLines(el: XmlElement, depth: number, extra: Record<string, string> = {}): string[] {
  const pad = '  '.repeat(depth);
  if (el.children.length === 0 || ownText(el) !== '') return [pad + inlineElement(el, extra)];
  return [
    `${pad}${openTag(el, extra)}>`,
    ...el.children.flatMap((c) => elementLines(c, depth + 1)),
    `${pad}</${el.name}>`,
  ];
}
