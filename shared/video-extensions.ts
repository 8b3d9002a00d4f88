/*
 * What counts as a movie file, as data: Kodi's video extensions (minus playlists, archives and
 * web links, which are not movies), the names Kodi and Radarr skip (samples, trailers, extras),
 * Kodi's default stacking patterns (cd1/cd2, part1/part2) and the disc structures.
 */

/** Video extensions Kodi plays as movies (lower case, no dot). */
export const VIDEO_EXTENSIONS = [
  '3g2',
  '3gp',
  'asf',
  'avi',
  'avc',
  'bivx',
  'divx',
  'dv',
  'dvr-ms',
  'evo',
  'f4v',
  'fli',
  'flv',
  'h264',
  'img',
  'iso',
  'm2t',
  'm2ts',
  'm2v',
  'm4v',
  'mk3d',
  'mkv',
  'mov',
  'mp4',
  'mpeg',
  'mpg',
  'mts',
  'nrg',
  'nsv',
  'nuv',
  'ogm',
  'ogv',
  'pva',
  'qt',
  'rec',
  'rm',
  'rmvb',
  'strm',
  'svq3',
  'tp',
  'trp',
  'ts',
  'ty',
  'udf',
  'vc1',
  'vdr',
  'viv',
  'vob',
  'vp3',
  'webm',
  'wmv',
  'wtv',
  'xvid',
] as const;

const VIDEO_EXTENSION_SET: ReadonlySet<string> = new Set(VIDEO_EXTENSIONS);

export function isVideoExtension(ext: string): boolean {
  return VIDEO_EXTENSION_SET.has(ext.toLowerCase());
}

/**
 * Disc structures: a folder holding one of these sub-folders is one movie. `marker` is the file
 * inside that proves it (checked case-insensitively).
 */
export const DISC_STRUCTURES = [
  { dir: 'video_ts', marker: 'video_ts.ifo', kind: 'dvd' },
  { dir: 'bdmv', marker: 'index.bdmv', kind: 'bluray' },
] as const;
export type DiscKind = (typeof DISC_STRUCTURES)[number]['kind'];

/** Folder names (lower case) skipped anywhere: samples, trailers, Kodi's `proof`/`subs`, housekeeping. */
export const SKIPPED_FOLDER_NAMES: ReadonlySet<string> = new Set([
  'sample',
  'samples',
  'trailer',
  'trailers',
  'proof',
  'subs',
  'subtitles',
  '@eadir',
  '#recycle',
  '#snapshot',
  '$recycle.bin',
  'system volume information',
  'lost+found',
]);

/**
 * Extras folders as Plex, Jellyfin and Radarr name them (lower case): skipped inside a movie's
 * folder. Elsewhere (say a collection called "Other") they are ordinary folders.
 */
export const EXTRAS_FOLDER_NAMES: ReadonlySet<string> = new Set([
  'extras',
  'extra',
  'featurettes',
  'behind the scenes',
  'deleted scenes',
  'interviews',
  'scenes',
  'shorts',
  'other',
  'others',
  'bonus',
  'specials',
  'theme-music',
  'backdrops',
]);

/**
 * Video file names to skip (matched on the name without extension, lower case): Kodi's default
 * `-trailer` and `sample` rules and the extras suffixes Plex/Jellyfin/Radarr use.
 */
export const SKIPPED_VIDEO_PATTERNS: readonly RegExp[] = [
  /-(trailer|sample|behindthescenes|deleted|featurette|interview|scene|short|other)$/,
  /(^|[-._ ])sample([-._ ]|$)/,
  /^trailer$/,
];

export function isSkippedVideoStem(stemLower: string): boolean {
  return SKIPPED_VIDEO_PATTERNS.some((re) => re.test(stemLower));
}

/** Whether a folder is never searched for movies; hidden folders (`.name`) are skipped too. */
export function isSkippedFolderName(name: string, insideMovieFolder: boolean): boolean {
  const lower = name.toLowerCase();
  return (
    name.startsWith('.') || SKIPPED_FOLDER_NAMES.has(lower) || (insideMovieFolder && EXTRAS_FOLDER_NAMES.has(lower))
  );
}

/**
 * Kodi's default movie stacking patterns (advancedsettings `moviestacking`): groups are title,
 * volume, ignored remainder and extension. Files with the same title, remainder and extension
 * but different volumes are parts of one movie. Unlike Kodi the title part is greedy and the
 * volume must follow a separator, so a title holding "Part 2" stacks on its last volume token.
 */
export const STACKING_PATTERNS: readonly RegExp[] = [
  /^(.*)([ _.-]+(?:cd|dvd|p(?:ar)?t|dis[ck])[ _.-]*[0-9]+)(.*?)(\.[^.]+)$/i,
  /^(.*)([ _.-]+(?:cd|dvd|p(?:ar)?t|dis[ck])[ _.-]*[a-d])(.*?)(\.[^.]+)$/i,
];

export interface StackPart {
  /** The stacked name: title + remainder, without the volume (what Kodi names the stack by). */
  stackName: string;
  /** Volume token as written (`cd1`, `part 2`), for ordering. */
  volume: string;
  ext: string;
}

/** Cheap test run first: every stacking pattern needs one of these tokens. */
const STACK_HINT = /(?:cd|dvd|pt|part|dis[ck])[ _.-]*[0-9a-d]/i;

/** The stack a file name belongs to, or null when it is not a part. */
export function stackPartOf(fileName: string): StackPart | null {
  if (!STACK_HINT.test(fileName)) return null;
  for (const re of STACKING_PATTERNS) {
    const m = re.exec(fileName);
    if (m && m[1])
      return { stackName: `${m[1]}${m[3] ?? ''}`, volume: m[2]!.replace(/^[ _.-]+/, ''), ext: m[4]!.slice(1) };
  }
  return null;
}
