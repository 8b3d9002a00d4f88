import { ASSET_TYPES, ASSET_TYPE_SPECS, type AssetType } from './asset-types.ts';
import type { NamingStyle } from './settings.ts';

/*
 * Kodi's movie file names as one table. The scanner recognises existing files with the
 * recognisers below and the publisher writes with the writers below; both are derived from the
 * same rows, so what we write is always what we read back.
 *
 * Facts (Kodi 20 scanner): in a movie's folder Kodi takes every picture named
 * `<video basename>-<arttype>.<ext>`; when the movie has its own folder it also takes
 * `<arttype>.<ext>`. Extra fanart is `fanart1`, `fanart2`… (a family of `fanart`). `folder.jpg`
 * is only a fallback, classified by its shape. When several movies share a folder only the
 * basename form belongs to one movie. Disc structures (VIDEO_TS, BDMV) keep their art in the
 * movie folder, in the folder form.
 */

/** How a movie sits on disk; the same values as `items.layout`. */
export type MovieLayout = 'own-folder' | 'shared-folder' | 'disc';
export const MOVIE_LAYOUTS = ['own-folder', 'shared-folder', 'disc'] as const satisfies readonly MovieLayout[];

/**
 * Which name form a file uses:
 * - `basename`: `<video basename>-<type><rank?>.<ext>` (read by Kodi with every source setting);
 * - `folder`: `<type><rank?>.<ext>` (own folder or disc structure only);
 * - `extrafanart`: `extrafanart/<name>.<ext>` (legacy folder read by skins, not by Kodi itself);
 * - `fallback`: `folder.jpg`, whose type depends on its shape (see {@link classifyFolderImage});
 * - `legacy`: posters under names older tools write: pre-Frodo `.tbn` thumbnails and pictures
 *   named like the video (`<basename>.tbn`, `<basename>.jpg`), `movie.*` and `cover.*` (own
 *   folder or disc only). Read, never written.
 */
export type ArtForm = 'basename' | 'folder' | 'extrafanart' | 'fallback' | 'legacy';

/** Stems read as a legacy poster in a movie's own folder, besides the video's basename. */
const LEGACY_POSTER_STEMS: ReadonlySet<string> = new Set(['movie', 'cover']);

/** When the same (type, rank) exists in several forms, the lower number wins (Kodi's order). */
export const ART_FORM_PRECEDENCE: Readonly<Record<ArtForm, number>> = {
  basename: 0,
  folder: 1,
  extrafanart: 2,
  fallback: 3,
  legacy: 4,
};

export type ImageExtension = 'jpg' | 'png' | 'webp';

/**
 * One row of the naming table.
 * - `name`: the Kodi art-type name written in file names (`poster` → `-poster.jpg`, `poster.jpg`);
 * - `aliases`: other names other tools write for the same type; recognised on scan, never written;
 * - `ext`: the extension used when the real format is not known yet (transparent types are PNG);
 * - `ranked`: whether ranks after the first get numbered names (`fanart1`, `fanart2`…).
 */
export interface ArtNamingRule {
  type: AssetType;
  name: string;
  aliases: readonly string[];
  ext: ImageExtension;
  ranked: boolean;
}

const ALIASES: Readonly<Partial<Record<AssetType, readonly string[]>>> = {
  fanart: ['backdrop'],
  clearlogo: ['logo'],
  discart: ['disc', 'cdart'],
  landscape: ['thumb'],
};

/** The naming table, one row per asset type, in ASSET_TYPES order. */
export const ART_NAMING: Readonly<Record<AssetType, ArtNamingRule>> = Object.fromEntries(
  ASSET_TYPES.map((type) => [
    type,
    {
      type,
      name: type,
      aliases: ALIASES[type] ?? [],
      ext: ASSET_TYPE_SPECS[type].transparent ? 'png' : 'jpg',
      ranked: ASSET_TYPE_SPECS[type].maxCount > 1,
    },
  ]),
) as unknown as Record<AssetType, ArtNamingRule>;

/** Picture extensions Kodi reads for local art (lower case, no dot). `jpeg` is read, never written. */
export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'] as const;
const IMAGE_EXTENSION_SET: ReadonlySet<string> = new Set(IMAGE_EXTENSIONS);

/** The folder-level fallback picture. */
export const FOLDER_IMAGE = 'folder.jpg';
/** The legacy folder of extra fanart (skins read it; Kodi itself does not). */
export const EXTRAFANART_DIR = 'extrafanart';
/** The folder of actor pictures, next to the NFO. */
export const ACTORS_DIR = '.actors';
/** The folder-form NFO. */
export const MOVIE_NFO = 'movie.nfo';
/**
 * NFO names of disc structures, relative to the movie folder: Kodi reads the NFO beside the
 * structure's marker file, inside VIDEO_TS/BDMV or, for a structure laid straight into the movie
 * folder, in the folder itself.
 */
export const DISC_NFOS = ['VIDEO_TS/VIDEO_TS.nfo', 'BDMV/index.nfo', 'VIDEO_TS.nfo', 'index.nfo'] as const;

/** The extension a type is written with when the real format is not known. */
export function defaultArtExt(type: AssetType): ImageExtension {
  return ART_NAMING[type].ext;
}

/** The extension for a real image format as sharp names it (`jpeg`, `png`, `webp`). */
export function extForFormat(format: string): ImageExtension | null {
  const f = format.toLowerCase();
  if (f === 'jpeg' || f === 'jpg') return 'jpg';
  if (f === 'png') return 'png';
  if (f === 'webp') return 'webp';
  return null;
}

/** `poster` for rank 0, `poster1` for rank 1…: the type part of a name. */
export function rankedName(type: AssetType, rank: number): string {
  const rule = ART_NAMING[type];
  if (rank === 0 || !rule.ranked) return rule.name;
  return `${rule.name}${rank}`;
}

/**
 * The style that actually applies: several movies in one folder force the basename form (folder
 * names would belong to all of them); disc structures use the folder form in the movie folder.
 */
export function effectiveStyle(style: NamingStyle, layout: MovieLayout): NamingStyle {
  if (layout === 'shared-folder') return 'basename';
  if (layout === 'disc') return 'folder';
  return style;
}

export interface ArtNameOptions {
  /** Also write extra fanart (rank ≥ 1) into `extrafanart/` (setting `naming.extrafanartFolder`). */
  extrafanartFolder?: boolean;
}

/**
 * Every file name (relative to the movie's folder, `/`-separated) under which one image of
 * `type` at `rank` is published. The first name is the primary copy; the rest are twins the
 * publisher may hardlink. Never empty. `ext` must follow the real image format.
 */
export function artFileNames(
  type: AssetType,
  rank: number,
  basename: string,
  style: NamingStyle,
  layout: MovieLayout,
  ext: ImageExtension = defaultArtExt(type),
  options: ArtNameOptions = {},
): string[] {
  const rule = ART_NAMING[type];
  if (rank > 0 && !rule.ranked) throw new RangeError(`${type} has no rank ${rank}`);
  const part = rankedName(type, rank);
  const applied = effectiveStyle(style, layout);
  const names: string[] = [];
  if (applied === 'basename' || applied === 'both') names.push(`${basename}-${part}.${ext}`);
  if (applied === 'folder' || applied === 'both') names.push(`${part}.${ext}`);
  if (options.extrafanartFolder && type === 'fanart' && rank > 0 && layout !== 'shared-folder') {
    names.push(`${EXTRAFANART_DIR}/${part}.${ext}`);
  }
  return names;
}

export interface NfoNameOptions {
  /** Also write `movie.nfo` beside `<basename>.nfo` (setting `naming.movieNfo`). */
  movieNfo?: boolean;
}

/** NFO names to write, relative to the movie folder; the first is primary. */
export function nfoFileNames(basename: string, layout: MovieLayout, options: NfoNameOptions = {}): string[] {
  if (layout === 'disc') return [MOVIE_NFO];
  if (layout === 'shared-folder') return [`${basename}.nfo`];
  return options.movieNfo ? [`${basename}.nfo`, MOVIE_NFO] : [`${basename}.nfo`];
}

/**
 * NFO names to read, most authoritative first, relative to the movie folder:
 * `<basename>.nfo`, then `movie.nfo` (own folder and discs), then the disc structures' own names.
 */
export function nfoReadOrder(basename: string, layout: MovieLayout): string[] {
  if (layout === 'shared-folder') return [`${basename}.nfo`];
  if (layout === 'disc') return [MOVIE_NFO, ...DISC_NFOS];
  return [`${basename}.nfo`, MOVIE_NFO];
}

/** Characters no file name may hold on the common filesystems (Windows is the strictest). */
// eslint-disable-next-line no-control-regex
const ILLEGAL_FILENAME_CHARS = /[<>:"/\\|?*\u0000-\u001f]/g;

/** `.actors/First_Last.jpg`: spaces become underscores, illegal characters are dropped. */
export function actorFileName(actorName: string, ext: ImageExtension = 'jpg'): string {
  const safe = nfc(actorName)
    .replace(ILLEGAL_FILENAME_CHARS, '')
    .trim()
    .replace(/\s+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  return `${ACTORS_DIR}/${safe || '_'}.${ext}`;
}

/** The actor name a `.actors/` file stands for (underscores back to spaces). */
export function actorNameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*\//, '');
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).replace(/_/g, ' ');
}

/** NFC form (macOS writes NFD); ASCII names, the common case, skip the normaliser. */
function nfc(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(s) ? s.normalize('NFC') : s;
}

/** The lower-case extension of a name, without the dot ('' when none). */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const slash = fileName.lastIndexOf('/');
  return dot > slash + 1 ? fileName.slice(dot + 1).toLowerCase() : '';
}

export function isImageFileName(fileName: string): boolean {
  return IMAGE_EXTENSION_SET.has(extensionOf(fileName));
}

/** What a recognised art file is. `rank` is null for an un-numbered `extrafanart/` picture. */
export interface RecognizedArt {
  type: AssetType;
  rank: number | null;
  form: ArtForm;
  /** True when the name uses an alias (`logo`, `disc`, `backdrop`, `thumb`) rather than the Kodi name. */
  alias: boolean;
}

/** Art-type name (lower case, as it appears in file names) → type; built from the table. */
const NAME_TO_TYPE: ReadonlyMap<string, { type: AssetType; alias: boolean }> = new Map(
  ASSET_TYPES.flatMap((type): [string, { type: AssetType; alias: boolean }][] => [
    [ART_NAMING[type].name, { type, alias: false }],
    ...ART_NAMING[type].aliases.map((a): [string, { type: AssetType; alias: boolean }] => [a, { type, alias: true }]),
  ]),
);

/** `fanart12` → { fanart, 12 }; `poster` → { poster, 0 }; unknown names → null. */
function parseTypePart(part: string): { type: AssetType; rank: number; alias: boolean } | null {
  const m = /^([a-z]+?)(0|[1-9][0-9]{0,2})?$/.exec(part);
  if (!m) return null;
  const hit = NAME_TO_TYPE.get(m[1]!);
  if (!hit) return null;
  const rank = m[2] === undefined ? 0 : Number(m[2]);
  if (m[2] === '0') return null; // Kodi never writes `poster0`; it would shadow rank 0
  if (rank > 0 && !ART_NAMING[hit.type].ranked) return null;
  return { type: hit.type, rank, alias: hit.alias };
}

/**
 * Recognises one file of a movie folder as art of that movie, or returns null.
 * `fileName` is relative to the movie folder (`poster.jpg`, `extrafanart/fanart2.jpg`).
 * Matching is case-insensitive, as Kodi's is. Layout rules: in a shared folder only the
 * basename form counts; disc structures and own folders also accept the folder form,
 * `extrafanart/`, `folder.jpg` and legacy `.tbn` thumbnails.
 */
export function recognizeArtFile(fileName: string, basename: string, layout: MovieLayout): RecognizedArt | null {
  const lower = nfc(fileName).toLowerCase();
  const ext = extensionOf(lower);
  const slash = lower.indexOf('/');
  if (slash >= 0) {
    if (layout === 'shared-folder' || !IMAGE_EXTENSION_SET.has(ext)) return null;
    const dir = lower.slice(0, slash);
    const rest = lower.slice(slash + 1);
    if (dir !== EXTRAFANART_DIR || rest.includes('/')) return null;
    const parsed = parseTypePart(rest.slice(0, -(ext.length + 1)));
    const rank = parsed && parsed.type === 'fanart' && parsed.rank > 0 ? parsed.rank : null;
    return { type: 'fanart', rank, form: 'extrafanart', alias: false };
  }
  const stem = ext ? lower.slice(0, -(ext.length + 1)) : lower;
  const base = nfc(basename).toLowerCase();
  if (ext !== 'tbn' && !IMAGE_EXTENSION_SET.has(ext)) return null;
  if (stem === base || (layout !== 'shared-folder' && LEGACY_POSTER_STEMS.has(stem))) {
    return { type: 'poster', rank: 0, form: 'legacy', alias: false };
  }
  if (ext === 'tbn') return null;
  if (base && stem.startsWith(`${base}-`)) {
    const parsed = parseTypePart(stem.slice(base.length + 1));
    if (parsed) return { ...parsed, form: 'basename' };
  }
  if (layout === 'shared-folder') return null;
  if (lower === FOLDER_IMAGE) return { type: 'poster', rank: 0, form: 'fallback', alias: false };
  const parsed = parseTypePart(stem);
  return parsed ? { ...parsed, form: 'folder' } : null;
}

/**
 * Kodi's reading of `folder.jpg` by shape: a poster when taller than 5:4, a banner when wider
 * than 4:1, else a landscape thumb.
 */
export function classifyFolderImage(width: number, height: number): AssetType {
  if (width * 5 < height * 4) return 'poster';
  if (width > height * 4) return 'banner';
  return 'landscape';
}

/** What any file of a movie folder is, as far as naming goes. */
export type RecognizedFile =
  | ({ role: 'art' } & RecognizedArt)
  | { role: 'nfo'; /** Position in {@link nfoReadOrder}: 0 is the most authoritative. */ priority: number }
  | { role: 'actor'; actorName: string };

/** Recognises art, NFOs and actor pictures of one movie; null for anything else. */
export function recognizeMovieFile(fileName: string, basename: string, layout: MovieLayout): RecognizedFile | null {
  const lower = nfc(fileName).toLowerCase();
  if (lower.endsWith('.nfo')) {
    const order = nfoReadOrder(basename, layout).map((n) => nfc(n).toLowerCase());
    const priority = order.indexOf(lower);
    return priority >= 0 ? { role: 'nfo', priority } : null;
  }
  if (lower.startsWith(`${ACTORS_DIR}/`)) {
    const rest = fileName.slice(ACTORS_DIR.length + 1);
    if (layout === 'shared-folder' || rest.includes('/') || !isImageFileName(rest)) return null;
    return { role: 'actor', actorName: actorNameFromFile(rest) };
  }
  const art = recognizeArtFile(fileName, basename, layout);
  return art ? { role: 'art', ...art } : null;
}
