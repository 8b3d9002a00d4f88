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
 * inside that proves it (checked case-insensitively). Rips also put the structure's files
 * straight into the movie folder (`Movie (1942)/VIDEO_TS.IFO`, `Movie (2010)/index.bdmv`): the
 * marker then makes the folder itself the disc, and `looseDirs` are the structure's own
 * sub-folders that sit beside it (never movies of their own).
 */
export const DISC_STRUCTURES = [
  { dir: 'video_ts', marker: 'video_ts.ifo', kind: 'dvd', looseDirs: ['audio_ts'] },
  {
    dir: 'bdmv',
    marker: 'index.bdmv',
    kind: 'bluray',
    looseDirs: ['stream', 'playlist', 'clipinf', 'backup', 'auxdata', 'meta', 'bdjo', 'jar', 'certificate'],
  },
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
  // Kodi's extra thumbnails of the movie above, never movies. (`extrafanart` is not here: it is
  // an art folder the scan reads and the watcher watches, and the walk never enters it.)
  'extrathumbs',
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
  'featurette',
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
 * The last row is Kodi's bare letter (`Movie-a.avi`, `Movie b.avi`); we take it only at the end
 * of the name, where a letter is least likely to be part of a title.
 */
export const STACKING_PATTERNS: readonly RegExp[] = [
  /^(.*)([ _.-]+(?:cd|dvd|p(?:ar)?t|dis[ck])[ _.-]*[0-9]+)(.*?)(\.[^.]+)$/i,
  /^(.*)([ _.-]+(?:cd|dvd|p(?:ar)?t|dis[ck])[ _.-]*[a-d])(.*?)(\.[^.]+)$/i,
  /^(.+?)([ _.-]+[a-d])()(\.[^.]+)$/i,
];

export interface StackPart {
  /** The stacked name: title + remainder, without the volume (what Kodi names the stack by). */
  stackName: string;
  /** Volume token as written (`cd1`, `part 2`, `a`), for ordering. */
  volume: string;
  ext: string;
  /**
   * The volume's letter (lower case) when it is one (`a`–`d`): such a stack is only a stack when
   * its letters run a, b, c… (see {@link isLetterRun}); null for numbered volumes.
   */
  letter: string | null;
}

/** Cheap test run first: every stacking pattern but the bare letter needs one of these tokens. */
const STACK_HINT = /(?:cd|dvd|pt|part|dis[ck])[ _.-]*[0-9a-d]/i;

/** The stack a file name belongs to, or null when it is not a part. */
export function stackPartOf(fileName: string): StackPart | null {
  const hinted = STACK_HINT.test(fileName);
  for (const [i, re] of STACKING_PATTERNS.entries()) {
    if (!hinted && i < STACKING_PATTERNS.length - 1) continue;
    const m = re.exec(fileName);
    if (!m || !m[1]) continue;
    const volume = m[2]!.replace(/^[ _.-]+/, '');
    const last = volume.slice(-1).toLowerCase();
    return {
      stackName: `${m[1]}${m[3] ?? ''}`,
      volume,
      ext: m[4]!.slice(1),
      letter: last >= 'a' && last <= 'd' ? last : null,
    };
  }
  return null;
}

/**
 * Whether a stack's letters (lower case, in any order) are exactly a, b(, c, d): what makes
 * `Movie-a.avi` + `Movie-b.avi` one movie while `Plan B.avi` + `Plan C.avi` stay two.
 */
export function isLetterRun(letters: readonly string[]): boolean {
  return [...letters].sort().join('') === 'abcd'.slice(0, letters.length);
}

/**
 * Kodi's folder stacking (`folderstacking` `((cd|dvd|dis[ck])[0-9]+)$`): sub-folders `CD1`,
 * `CD2`… of a movie folder, each holding one part. Returns the volume (`cd1`) or null.
 */
export function stackFolderVolume(folderName: string): string | null {
  const m = /^(?:cd|dvd|dis[ck])[ _.-]?[0-9]+$/i.exec(folderName);
  return m ? m[0].toLowerCase() : null;
}
