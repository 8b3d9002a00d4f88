/*
 * Title and year from folder and file names: `Amélie (2001)`, `The.Matrix.1999.1080p.BluRay.x264-GRP`,
 * `Blade Runner 2049 (2017)`, `1917 (2019)`, `S.W.A.T.2003.720p`, `Movie (1999) {tmdb-603}`.
 * The year is the last plausible year before the first release tag, never the first word (so
 * `1917` and `2001 A Space Odyssey` keep their titles).
 */

export interface ParsedName {
  title: string;
  year: number | null;
  /** Ids written into the name the way Radarr / Jellyfin do: `{tmdb-603}`, `[imdbid-tt0133093]`. */
  tmdbId: number | null;
  imdbId: string | null;
}

export interface ParseOptions {
  /** Latest year accepted as a release year (callers pass the clock's year + 2). */
  maxYear?: number;
}

const MIN_YEAR = 1888;

/** Tokens that only appear in release names; the title ends before the first one. */
const RELEASE_TAGS: ReadonlySet<string> = new Set([
  '4k',
  'uhd',
  'bluray',
  'blu-ray',
  'bdrip',
  'brrip',
  'bdremux',
  'remux',
  'dvdrip',
  'dvdscr',
  'dvd5',
  'dvd9',
  'webrip',
  'web-dl',
  'webdl',
  'hdtv',
  'hdrip',
  'hdcam',
  'x264',
  'x265',
  'h264',
  'h265',
  'h.264',
  'h.265',
  'hevc',
  'xvid',
  'divx',
  '10bit',
  '8bit',
  'hdr',
  'hdr10',
  'dts',
  'dts-hd',
  'truehd',
  'atmos',
  'aac',
  'ac3',
  'dd5.1',
  'ddp5.1',
  'imax',
  'repack',
  'proper',
]);
const RESOLUTION = /^\d{3,4}[pi]$/;
const ID_TAG = /[[{(]\s*(tmdb|tmdbid|imdb|imdbid)\s*[-=:]\s*([a-z0-9]+)\s*[\]})]/gi;

function isReleaseTag(token: string): boolean {
  const t = token.toLowerCase().replace(/^[[({]+|[\])},]+$/g, '');
  return RESOLUTION.test(t) || RELEASE_TAGS.has(t);
}

function yearOf(token: string, maxYear: number): number | null {
  const m = /^[[({]?((?:18|19|20)\d\d)[\])}]?$/.exec(token);
  if (!m) return null;
  const y = Number(m[1]);
  return y >= MIN_YEAR && y <= maxYear ? y : null;
}

/**
 * Dots and underscores are word separators in release names (no spaces). Runs of single
 * letters are put back together as an acronym (`S.W.A.T.`).
 */
function splitReleaseWords(text: string): string[] {
  const parts = text.split(/[._]+/).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < parts.length;) {
    let j = i;
    while (j < parts.length && /^\p{L}$/u.test(parts[j]!)) j++;
    if (j - i >= 2) {
      out.push(`${parts.slice(i, j).join('.')}.`);
      i = j;
    } else {
      out.push(parts[i]!);
      i++;
    }
  }
  return out;
}

function tokenize(text: string): string[] {
  const hasSpaces = /\s/.test(text.trim());
  if (!hasSpaces && /[._]/.test(text)) return splitReleaseWords(text);
  return text.replace(/_/g, ' ').split(/\s+/).filter(Boolean);
}

function cleanTitle(words: string[]): string {
  return words
    .join(' ')
    .replace(/\s*[[({]\s*$/, '')
    .replace(/[\s\-–—,:;([{]+$/u, '')
    .replace(/^[\s\-–—,:;)\]}]+/u, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Parses a folder or file name (without extension) into title, year and ids. */
export function parseMovieName(raw: string, options: ParseOptions = {}): ParsedName {
  const maxYear = options.maxYear ?? 2100;
  let text = raw.normalize('NFC').replace(/[\r\n\t]+/g, ' ');
  let tmdbId: number | null = null;
  let imdbId: string | null = null;
  if (/[[{(]/.test(text))
    text = text.replace(ID_TAG, (_all, kind: string, value: string) => {
      const k = kind.toLowerCase();
      if (k.startsWith('tmdb') && /^\d+$/.test(value)) tmdbId = Number(value);
      else if (k.startsWith('imdb') && /^tt\d{7,}$/i.test(value)) imdbId = value.toLowerCase();
      return ' ';
    });
  // Square and curly groups that hold no year are release noise (`[1080p]`, `[GRP]`, `{edition}`).
  if (/[[{]/.test(text))
    text = text.replace(/\[([^\]]*)\]|\{([^}]*)\}/g, (all, a?: string, b?: string) =>
      yearOf((a ?? b ?? '').trim(), maxYear) !== null ? ` ${all} ` : ' ',
    );

  const tokens = tokenize(text);
  let firstTag = tokens.length;
  for (let i = 1; i < tokens.length; i++) {
    if (isReleaseTag(tokens[i]!)) {
      firstTag = i;
      break;
    }
  }
  let yearIdx = -1;
  let year: number | null = null;
  for (let i = firstTag - 1; i >= 1; i--) {
    const y = yearOf(tokens[i]!, maxYear);
    if (y !== null) {
      yearIdx = i;
      year = y;
      break;
    }
  }
  const end = yearIdx >= 0 ? yearIdx : firstTag;
  let title = cleanTitle(tokens.slice(0, end));
  if (!title) title = cleanTitle(tokens) || raw.trim() || raw;
  return { title, year, tmdbId, imdbId };
}

/**
 * The better of the folder's and the file's reading: the folder name is usually the cleaner
 * one (`Amélie (2001)` vs `amelie.2001.1080p`), unless only the file carries the year.
 */
export function pickName(folder: ParsedName | null, file: ParsedName): ParsedName {
  if (!folder) return file;
  const pick = folder.year !== null || file.year === null ? folder : file;
  return {
    ...pick,
    tmdbId: folder.tmdbId ?? file.tmdbId,
    imdbId: folder.imdbId ?? file.imdbId,
  };
}
