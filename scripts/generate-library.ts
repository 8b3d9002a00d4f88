/*
 * Synthetic movie libraries for tests, benchmarks and the demo: N movies laid out the ways real
 * libraries are (own folders, release names, collections, loose files, disc structures, stacked
 * parts), with samples/trailers/extras that a scan must skip, NFOs for some (valid, malformed,
 * URL-only, legacy <id>), real artwork for some, and — when `nasty` — names and files that
 * break naive scanners. Deterministic: the same seed and options give the same tree.
 *
 * Library use: `await generateLibrary(dir, { movies: 200, seed: 7 })`.
 * CLI: `npx tsx scripts/generate-library.ts DIR --movies N --seed S [--nfo F] [--art F] [--no-nasty] [--from-fakes]`
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export type GeneratedLayout = 'own-folder' | 'shared-folder' | 'disc';
export type GeneratedNfo = 'none' | 'valid' | 'malformed' | 'url' | 'legacy-id';
export type GeneratedArtType = 'poster' | 'fanart' | 'clearlogo' | 'landscape';

/** A movie as the catalogue of a fake provider knows it (optional source of titles and ids). */
export interface CatalogueMovie {
  title: string;
  year: number;
  tmdbId: number;
  imdbId: string;
}

export interface GenerateOptions {
  movies: number;
  seed?: number;
  /** Share of movies with an NFO (default 0.3). */
  nfoFraction?: number;
  /** Share of movies with artwork already in the folder (default 0.15). */
  artFraction?: number;
  /** Add samples, trailers and extras folders the scan must skip (default true). */
  extras?: boolean;
  /**
   * Add hostile input (default true): `:`/`?`/newline names, a name that is not valid UTF-8, a
   * zero-byte video, a broken symbolic link, a symbolic link loop. Linux names only.
   */
  nasty?: boolean;
  /** Take titles, years and ids from here (e.g. the fake TMDB catalogue) instead of inventing them. */
  catalogue?: readonly CatalogueMovie[];
}

export interface GeneratedArt {
  /** Relative to the movie folder. */
  rel: string;
  type: GeneratedArtType;
  rank: number;
  form: 'basename' | 'folder' | 'fallback' | 'extrafanart';
}

export interface GeneratedMovie {
  index: number;
  /** The real title (what a provider would say). */
  title: string;
  /** The title as the name on disk spells it (what a name parser should find). */
  nameTitle: string;
  year: number;
  tmdbId: number;
  imdbId: string;
  folder: string;
  layout: GeneratedLayout;
  /** Main video file, or the disc structure folder. */
  videoPath: string;
  basename: string;
  nfo: GeneratedNfo;
  art: GeneratedArt[];
  /** How the movie is laid out: 'release-name', 'collection', 'stacked', 'dvd', 'bluray', 'loose', … */
  tags: string[];
  /** The scan must report a problem for this movie (zero-byte video, malformed NFO, broken link). */
  expectError: boolean;
}

export interface GeneratedLibrary {
  root: string;
  seed: number;
  movies: GeneratedMovie[];
  /** Files and folders that look like videos but must never become items. */
  skipped: string[];
  /** Entries the scan must report and skip (invalid names, loops). */
  hostile: string[];
}

// ---- randomness (self-contained, so the script runs without the test tree) ----

function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${part}\u0000`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

class Rng {
  #a: number;
  constructor(seed: number) {
    this.#a = seed >>> 0;
  }
  next(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
}

// ---- names ----

const WORDS_A = [
  'Silent',
  'Crimson',
  'Last',
  'Hidden',
  'Broken',
  'Golden',
  'Distant',
  'Frozen',
  'Electric',
  'Midnight',
  'Savage',
  'Quiet',
  'Wild',
  'Hollow',
  'Burning',
  'Paper',
  'Iron',
  'Velvet',
  'Lost',
  'Northern',
];
const WORDS_B = [
  'River',
  'Empire',
  'Garden',
  'Signal',
  'Harbor',
  'Kingdom',
  'Witness',
  'Machine',
  'Horizon',
  'Orchard',
  'Protocol',
  'Lantern',
  'Frontier',
  'Mirror',
  'Station',
  'Voyage',
  'Covenant',
  'Season',
  'Circuit',
  'Canyon',
];
const WORDS_C = [
  '',
  '',
  '',
  ' Returns',
  ' Rising',
  ' of the Night',
  ' in Winter',
  ': The Reckoning',
  ' II',
  ' 2049',
  ' and the Sea',
  ': Part Two',
];

/** Titles that trip naive parsers: numbers that look like years, punctuation, non-Latin scripts. */
const TRICKY: readonly { title: string; year: number }[] = [
  { title: 'Amélie', year: 2001 },
  { title: 'Blade Runner 2049', year: 2017 },
  { title: '1917', year: 2019 },
  { title: '2001: A Space Odyssey', year: 1968 },
  { title: 'Léon: The Professional', year: 1994 },
  { title: 'What If?', year: 2013 },
  { title: 'S.W.A.T.', year: 2003 },
  { title: '千と千尋の神隠し', year: 2001 },
  { title: 'Crouching Tiger, Hidden Dragon', year: 2000 },
  { title: 'Mr. & Mrs. Smith', year: 2005 },
  { title: "Ocean's Eleven", year: 2001 },
  { title: 'Se7en', year: 1995 },
  { title: 'WALL·E', year: 2008 },
  { title: 'Ωmega Protocol', year: 2021 },
  { title: 'Harry Potter and the Deathly Hallows: Part 2', year: 2011 },
  { title: 'Fast & Furious 6', year: 2013 },
];

const RELEASE_TAILS = [
  '1080p.BluRay.x264-GRP',
  '720p.WEB-DL.AAC2.0.H.264-RLS',
  '2160p.UHD.BluRay.x265.10bit.HDR-TEAM',
  'DVDRip.XviD-OLD',
  '1080p.WEBRip.x265-RARBG',
];
const COLLECTIONS = ['Crimson Saga', 'Iron Chronicles', 'Northern Trilogy', 'Velvet Files'];

/** What `:` and `?` become on filesystems that refuse them (the way Radarr writes names). */
function portable(title: string): string {
  return title
    .replace(/: /g, ' - ')
    .replace(/:/g, '-')
    .replace(/\?/g, '')
    .replace(/[<>"|*\\/]/g, '');
}

// ---- files ----

interface ArtPalette {
  poster: Buffer;
  fanart: Buffer;
  clearlogo: Buffer;
  landscape: Buffer;
}

async function makePalette(seed: number): Promise<ArtPalette> {
  const rng = new Rng(hashSeed(seed, 'palette'));
  const color = () => ({ r: rng.int(0, 255), g: rng.int(0, 255), b: rng.int(0, 255) });
  const jpeg = async (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: color() } })
      .composite([
        {
          input: Buffer.from(
            `<svg width="${width}" height="${height}"><rect x="${width / 8}" y="${height / 8}" width="${width / 2}" height="${height / 3}" fill="rgb(${rng.int(0, 255)},80,120)"/></svg>`,
          ),
          top: 0,
          left: 0,
        },
      ])
      .jpeg({ quality: 70 })
      .toBuffer();
  return {
    poster: await jpeg(300, 450),
    fanart: await jpeg(480, 270),
    landscape: await jpeg(400, 225),
    clearlogo: await sharp({
      create: { width: 400, height: 155, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } },
    })
      .composite([
        {
          input: Buffer.from(
            '<svg width="400" height="155"><text x="20" y="100" font-size="80" fill="white">LOGO</text></svg>',
          ),
          top: 0,
          left: 0,
        },
      ])
      .png()
      .toBuffer(),
  };
}

/** The same picture with a unique marker, so each file has its own sha256 and stays a valid image. */
function uniqueImage(base: Buffer, marker: string): Buffer {
  const text = Buffer.from(marker, 'utf8');
  if (base[0] === 0xff && base[1] === 0xd8) {
    // JPEG: a COM segment right after SOI.
    const seg = Buffer.alloc(4);
    seg.writeUInt16BE(0xfffe, 0);
    seg.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([base.subarray(0, 2), seg, text, base.subarray(2)]);
  }
  // PNG: a tEXt chunk after IHDR (8-byte signature + 25-byte IHDR chunk).
  const data = Buffer.concat([Buffer.from('Comment\u0000', 'latin1'), text]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return Buffer.concat([base.subarray(0, 33), chunk, base.subarray(33)]);
}

/** A sparse file of the given apparent size: looks like a movie, costs no disk. */
function sparseFile(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

function nfoText(kind: GeneratedNfo, m: { title: string; year: number; tmdbId: number; imdbId: string }): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  switch (kind) {
    case 'valid':
      return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<movie>
  <title>${esc(m.title)}</title>
  <originaltitle>${esc(m.title)}</originaltitle>
  <year>${m.year}</year>
  <plot>A generated film about ${esc(m.title.toLowerCase())}.</plot>
  <uniqueid type="tmdb" default="true">${m.tmdbId}</uniqueid>
  <uniqueid type="imdb">${m.imdbId}</uniqueid>
  <genre>Drama</genre>
  <genre>Thriller</genre>
  <director>Alex Example</director>
  <actor><name>Jane Placeholder</name><role>Lead</role><order>0</order></actor>
</movie>
`;
    case 'malformed':
      return `<?xml version="1.0" encoding="UTF-8"?>\n<movie>\n  <title>${esc(m.title)}</title>\n  <uniqueid type="imdb">${m.imdbId}</uniqueid>\n  <plot>Cut short`;
    case 'url':
      return `https://www.themoviedb.org/movie/${m.tmdbId}-${m.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}\n`;
    case 'legacy-id':
      return `<movie>\n  <title>${esc(m.title)}</title>\n  <year>${m.year}</year>\n  <id>${m.imdbId}</id>\n</movie>\n`;
    case 'none':
      return '';
  }
}

// ---- the generator ----

/** Generates a library under `root` (created if needed; should be empty). */
export async function generateLibrary(root: string, options: GenerateOptions): Promise<GeneratedLibrary> {
  const seed = options.seed ?? 1;
  const nfoFraction = options.nfoFraction ?? 0.3;
  const artFraction = options.artFraction ?? 0.15;
  const extras = options.extras ?? true;
  const nasty = (options.nasty ?? true) && process.platform === 'linux';
  const rng = new Rng(hashSeed(seed, 'library'));
  const palette = await makePalette(seed);
  mkdirSync(root, { recursive: true });

  const movies: GeneratedMovie[] = [];
  const skipped: string[] = [];
  const hostile: string[] = [];
  const usedFolders = new Set<string>();
  const usedTitles = new Set<string>();
  let sharedFolder: string | null = null;
  let sharedCount = 0;

  const invent = (i: number): { title: string; year: number; tmdbId: number; imdbId: string } => {
    const fromCatalogue = options.catalogue?.[i];
    if (fromCatalogue) return { ...fromCatalogue };
    let title =
      i < TRICKY.length * 4 && i % 4 === 1
        ? TRICKY[(i >> 2) % TRICKY.length]!.title
        : `${rng.pick(WORDS_A)} ${rng.pick(WORDS_B)}${rng.pick(WORDS_C)}`;
    let year = TRICKY.find((t) => t.title === title)?.year ?? rng.int(1950, 2024);
    while (usedTitles.has(`${title}|${year}`)) {
      year = rng.int(1930, 2024);
      if (usedTitles.has(`${title}|${year}`))
        title = `${title} ${rng.pick(['Again', 'Redux', 'Forever', 'Begins', 'Unbound'])}`;
    }
    usedTitles.add(`${title}|${year}`);
    return { title, year, tmdbId: 900000 + i, imdbId: `tt${String(5000000 + i * 7).padStart(7, '0')}` };
  };

  for (let i = 0; i < options.movies; i++) {
    const meta = invent(i);
    const r = new Rng(hashSeed(seed, 'movie', i));
    const tags: string[] = [];
    const simple = /^[A-Za-z0-9 ]+$/.test(meta.title);
    // Where and how the movie lies.
    const where = r.next();
    let layout: GeneratedLayout = 'own-folder';
    let parent = root;
    let nameTitle = nasty && r.chance(0.5) ? meta.title : portable(meta.title);
    let folderName: string;
    if (where < 0.08) {
      parent = path.join(root, `${COLLECTIONS[i % COLLECTIONS.length]} Collection`);
      tags.push('collection');
    }
    const style = r.next();
    if (simple && style < 0.25) {
      folderName = `${meta.title.replace(/ /g, '.')}.${meta.year}.${r.pick(RELEASE_TAILS)}`;
      nameTitle = meta.title;
      tags.push('release-name');
    } else if (style < 0.35) {
      folderName = `${nameTitle} [${meta.year}]`;
    } else if (style < 0.42) {
      folderName = `${nameTitle} (${meta.year}) {tmdb-${meta.tmdbId}}`;
      tags.push('id-in-name');
    } else {
      folderName = `${nameTitle} (${meta.year})`;
    }
    if (usedFolders.has(path.join(parent, folderName).toLowerCase())) folderName = `${folderName} (${i})`;
    let folder = path.join(parent, folderName);

    const kind = r.next();
    let basename = folderName;
    let videoPath: string;
    let expectError = false;
    const videoSize = 700_000_000 + r.int(0, 7_000_000) * 1000 + i;
    if (kind < 0.08) {
      // Loose: several movies side by side in one folder (the root or a shared "Unsorted" folder).
      layout = 'shared-folder';
      tags.push('loose');
      if (!sharedFolder || sharedCount >= 25) {
        sharedFolder = r.chance(0.3) ? root : path.join(root, `Unsorted ${i}`);
        sharedCount = 0;
      }
      sharedCount++;
      folder = sharedFolder;
      basename = `${nameTitle} (${meta.year})`;
      if (usedFolders.has(path.join(folder, basename).toLowerCase())) basename = `${basename} ${i}`;
      mkdirSync(folder, { recursive: true });
      videoPath = path.join(folder, `${basename}.mkv`);
      sparseFile(videoPath, videoSize);
    } else if (kind < 0.12) {
      layout = 'disc';
      mkdirSync(folder, { recursive: true });
      if (r.chance(0.5)) {
        tags.push('dvd');
        videoPath = path.join(folder, 'VIDEO_TS');
        mkdirSync(videoPath);
        writeFileSync(path.join(videoPath, 'VIDEO_TS.IFO'), 'DVDVIDEO-VMG');
        sparseFile(path.join(videoPath, 'VTS_01_1.VOB'), 1_000_000_000 + i);
      } else {
        tags.push('bluray');
        videoPath = path.join(folder, 'BDMV');
        mkdirSync(path.join(videoPath, 'STREAM'), { recursive: true });
        writeFileSync(path.join(videoPath, 'index.bdmv'), 'INDX0200');
        sparseFile(path.join(videoPath, 'STREAM', '00000.m2ts'), 20_000_000_000 + i);
      }
    } else if (kind < 0.17) {
      tags.push('stacked');
      mkdirSync(folder, { recursive: true });
      const [a, b] = r.chance(0.5) ? [' cd1', ' cd2'] : ['.part1', '.part2'];
      basename = `${nameTitle} (${meta.year})`;
      videoPath = path.join(folder, `${basename}${a}.avi`);
      sparseFile(videoPath, videoSize);
      sparseFile(path.join(folder, `${basename}${b}.avi`), videoSize + 1);
    } else {
      mkdirSync(folder, { recursive: true });
      basename = r.chance(0.5)
        ? folderName
        : `${meta.title.replace(/[^A-Za-z0-9]+/g, '.')}.${meta.year}.${r.pick(RELEASE_TAILS)}`;
      videoPath = path.join(folder, `${basename}.${r.pick(['mkv', 'mkv', 'mp4', 'avi', 'm4v'])}`);
      sparseFile(videoPath, videoSize);
    }
    usedFolders.add(layout === 'shared-folder' ? path.join(folder, basename).toLowerCase() : folder.toLowerCase());
    const own = layout !== 'shared-folder';

    // NFO
    let nfo: GeneratedNfo = 'none';
    if (r.chance(nfoFraction)) {
      nfo = r.next() < 0.7 ? 'valid' : r.pick(['malformed', 'url', 'legacy-id'] as const);
      if (nfo === 'malformed') expectError = true;
      const nfoName =
        own && layout !== 'disc' && r.chance(0.4) ? 'movie.nfo' : layout === 'disc' ? 'movie.nfo' : `${basename}.nfo`;
      writeFileSync(path.join(folder, nfoName), nfoText(nfo, meta));
    }

    // Artwork
    const art: GeneratedArt[] = [];
    if (r.chance(artFraction)) {
      const put = (rel: string, type: GeneratedArtType, rank: number, form: GeneratedArt['form'], bytes: Buffer) => {
        const abs = path.join(folder, rel);
        mkdirSync(path.dirname(abs), { recursive: true });
        writeFileSync(abs, uniqueImage(bytes, `posterity-generated ${seed} ${i} ${rel}`));
        art.push({ rel, type, rank, form });
      };
      const useBase = !own || layout === 'disc' ? !own : r.chance(0.5);
      if (own && r.chance(0.15)) put('folder.jpg', 'poster', 0, 'fallback', palette.poster);
      else
        put(
          useBase ? `${basename}-poster.jpg` : 'poster.jpg',
          'poster',
          0,
          useBase ? 'basename' : 'folder',
          palette.poster,
        );
      if (r.chance(0.7))
        put(
          useBase ? `${basename}-fanart.jpg` : 'fanart.jpg',
          'fanart',
          0,
          useBase ? 'basename' : 'folder',
          palette.fanart,
        );
      if (r.chance(0.3))
        put(
          useBase ? `${basename}-clearlogo.png` : 'clearlogo.png',
          'clearlogo',
          0,
          useBase ? 'basename' : 'folder',
          palette.clearlogo,
        );
      if (own && r.chance(0.2)) put('fanart1.jpg', 'fanart', 1, 'folder', palette.fanart);
      if (own && r.chance(0.1)) put('extrafanart/fanart2.jpg', 'fanart', 2, 'extrafanart', palette.fanart);
      if (own && r.chance(0.2)) {
        const rel = '.actors/Jane_Placeholder.jpg';
        mkdirSync(path.join(folder, '.actors'), { recursive: true });
        writeFileSync(path.join(folder, rel), uniqueImage(palette.poster, `actor ${seed} ${i}`));
      }
    }

    // Things a scan must skip.
    if (extras && own && layout !== 'disc' && r.chance(0.12)) {
      const which = r.int(0, 4);
      const add = (rel: string, bytes: number) => {
        const abs = path.join(folder, rel);
        mkdirSync(path.dirname(abs), { recursive: true });
        sparseFile(abs, bytes);
        skipped.push(abs);
      };
      if (which === 0) add(`${basename}-trailer.mkv`, 50_000_000);
      else if (which === 1) add('Sample/sample.mkv', 30_000_000);
      else if (which === 2) add(`${basename}-sample.mkv`, 30_000_000);
      else if (which === 3) add('Extras/Making Of.mkv', 200_000_000);
      else add('Featurettes/Behind the Scenes.mp4', 100_000_000);
    }

    movies.push({
      index: i,
      title: meta.title,
      nameTitle,
      year: meta.year,
      tmdbId: meta.tmdbId,
      imdbId: meta.imdbId,
      folder,
      layout,
      videoPath,
      basename,
      nfo,
      art,
      tags,
      expectError,
    });
  }

  // A loose movie left alone in its folder is, to any scanner, a movie in its own folder.
  const perFolder = new Map<string, number>();
  for (const m of movies) if (m.layout === 'shared-folder') perFolder.set(m.folder, (perFolder.get(m.folder) ?? 0) + 1);
  for (const m of movies) {
    if (m.layout === 'shared-folder' && m.folder !== root && perFolder.get(m.folder) === 1) m.layout = 'own-folder';
  }

  if (nasty && options.movies > 0) {
    // A newline in a folder name (legal on Linux).
    const nl = path.join(root, 'Night\nShift (1999)');
    mkdirSync(nl, { recursive: true });
    sparseFile(path.join(nl, 'Night Shift.mkv'), 812_345_678);
    movies.push({
      index: movies.length,
      title: 'Night Shift',
      nameTitle: 'Night Shift',
      year: 1999,
      tmdbId: 990001,
      imdbId: 'tt9900001',
      folder: nl,
      layout: 'own-folder',
      videoPath: path.join(nl, 'Night Shift.mkv'),
      basename: 'Night Shift',
      nfo: 'none',
      art: [],
      tags: ['newline'],
      expectError: false,
    });
    // A zero-byte video: an item, with a problem reported.
    const zero = path.join(root, 'Empty Promise (2010)');
    mkdirSync(zero, { recursive: true });
    writeFileSync(path.join(zero, 'Empty Promise (2010).mkv'), '');
    movies.push({
      index: movies.length,
      title: 'Empty Promise',
      nameTitle: 'Empty Promise',
      year: 2010,
      tmdbId: 990002,
      imdbId: 'tt9900002',
      folder: zero,
      layout: 'own-folder',
      videoPath: path.join(zero, 'Empty Promise (2010).mkv'),
      basename: 'Empty Promise (2010)',
      nfo: 'none',
      art: [],
      tags: ['zero-byte'],
      expectError: true,
    });
    // A broken link next to a movie.
    const broken = path.join(root, 'Dangling Thread (2004)');
    mkdirSync(broken, { recursive: true });
    sparseFile(path.join(broken, 'Dangling Thread (2004).mkv'), 923_456_789);
    symlinkSync('gone.jpg', path.join(broken, 'poster.jpg'));
    hostile.push(path.join(broken, 'poster.jpg'));
    movies.push({
      index: movies.length,
      title: 'Dangling Thread',
      nameTitle: 'Dangling Thread',
      year: 2004,
      tmdbId: 990003,
      imdbId: 'tt9900003',
      folder: broken,
      layout: 'own-folder',
      videoPath: path.join(broken, 'Dangling Thread (2004).mkv'),
      basename: 'Dangling Thread (2004)',
      nfo: 'none',
      art: [],
      tags: ['broken-link'],
      expectError: false,
    });
    // A symbolic link loop.
    const loopHome = path.join(root, 'Loops');
    mkdirSync(loopHome, { recursive: true });
    symlinkSync('..', path.join(loopHome, 'again'));
    hostile.push(path.join(loopHome, 'again'));
    // A folder name that is not valid UTF-8 (Latin-1 "Café"), with a movie inside.
    const bad = Buffer.concat([Buffer.from(`${root}/Caf`), Buffer.from([0xe9]), Buffer.from(' Society (2016)')]);
    mkdirSync(bad, { recursive: true });
    const badVideo = Buffer.concat([bad, Buffer.from('/Cafe Society.mkv')]);
    closeSync(openSync(badVideo, 'w'));
    hostile.push(bad.toString('utf8'));
  }

  return { root, seed, movies, skipped, hostile };
}

// ---- CLI ----

async function main(argv: string[]): Promise<void> {
  const dir = argv.find((a) => !a.startsWith('--'));
  const num = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
    return v;
  };
  if (!dir) {
    process.stderr.write(
      'usage: npx tsx scripts/generate-library.ts DIR --movies N --seed S [--nfo F] [--art F] [--no-nasty] [--no-extras] [--from-fakes]\n',
    );
    process.exit(2);
  }
  const movies = num('movies', 100);
  const seed = num('seed', 1);
  let catalogue: CatalogueMovie[] | undefined;
  if (argv.includes('--from-fakes')) {
    const { buildCatalogue } = await import('../test/fakes/catalogue.ts');
    catalogue = buildCatalogue({ seed, movieCount: movies }).movies.map((m) => ({
      title: m.title,
      year: m.year,
      tmdbId: m.tmdbId,
      imdbId: m.imdbId,
    }));
  }
  const t0 = performance.now();
  const lib = await generateLibrary(path.resolve(dir), {
    movies,
    seed,
    nfoFraction: num('nfo', 0.3),
    artFraction: num('art', 0.15),
    nasty: !argv.includes('--no-nasty'),
    extras: !argv.includes('--no-extras'),
    ...(catalogue ? { catalogue } : {}),
  });
  const art = lib.movies.reduce((n, m) => n + m.art.length, 0);
  process.stdout.write(
    `Generated ${lib.movies.length} movies in ${lib.root} (${art} artwork files, ${lib.movies.filter((m) => m.nfo !== 'none').length} NFOs, ` +
      `${lib.skipped.length} extras to skip) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
