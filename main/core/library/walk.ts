import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { ASSET_TYPE_SPECS, type AssetType } from '../../../shared/asset-types.ts';
import {
  ACTORS_DIR,
  ART_FORM_PRECEDENCE,
  EXTRAFANART_DIR,
  classifyFolderImage,
  extensionOf,
  isImageFileName,
  recognizeMovieFile,
  type ArtForm,
  type MovieLayout,
  type RecognizedFile,
} from '../../../shared/naming.ts';
import {
  DISC_STRUCTURES,
  isSkippedFolderName,
  isLetterRun,
  isSkippedVideoStem,
  isVideoExtension,
  stackFolderVolume,
  stackPartOf,
} from '../../../shared/video-extensions.ts';
import { DAMAGE_TAIL_BYTES, damageOf, readHeader, sniffFormat, type StoredFormat } from '../cache/formats.ts';
import { parseMovieName, pickName, type ParsedName } from './name-parser.ts';
import { readNfo, type NfoInfo } from './nfo-reader.ts';

/*
 * The filesystem half of a scan: walks folders, decides which hold movies and how (own folder,
 * several in one folder, disc structure, stacked parts), and reads what each movie has (video
 * stat, NFO, artwork hash and size). Synchronous calls in short slices: on a local disk a
 * synchronous readdir/stat costs a third of its promise twin, and the slices keep the event
 * loop answering. Never writes anything.
 */

/** What the previous scan remembered about a folder. */
export interface PrevFolder {
  signature: string;
  role: FolderRole;
  subdirs: string[];
  aux: string[];
  /** The NFOs and pictures read in it, relative to it: their stats are part of the signature. */
  files: string[];
  /** What its listing reported, said again while it stays unchanged. */
  problems: WalkError[];
}

/** A library file already recorded, so unchanged files are not read and hashed again. */
export interface KnownFile {
  sha256: string;
  bytes: number;
  mtime: number;
  width: number | null;
  height: number | null;
  origin: 'original' | 'published';
}

export type FolderRole = 'container' | 'movies' | 'disc' | 'unreadable';

export interface FoundFile {
  path: string;
  role: 'art' | 'nfo' | 'actor';
  assetType: AssetType | null;
  rank: number | null;
  form: ArtForm | null;
  sha256: string;
  bytes: number;
  mtime: number;
  width: number | null;
  height: number | null;
  /** True when the file's content is what the previous scan saw (not read again). */
  unchanged: boolean;
}

export interface VideoIdentity {
  size: number | null;
  mtime: number | null;
  dev: number;
  ino: number;
}

export interface FoundMovie {
  folder: string;
  layout: MovieLayout;
  /** The main video file (first part of a stack) or the disc structure folder. */
  videoPath: string;
  /** File name of the main video (for identity by name + size). */
  videoName: string;
  basename: string;
  name: ParsedName;
  video: VideoIdentity | null;
  /** The most authoritative NFO, parsed (null when there is none). */
  nfo: NfoInfo | null;
  /** Nothing new to apply from an NFO: there is none, it is unchanged since the last scan, or we published it. */
  nfoUnchanged: boolean;
  files: FoundFile[];
  /** (type, rank) → the file that becomes the slot's original. */
  chosen: Map<string, FoundFile>;
  errors: string[];
  folderSignature: string;
}

export type FolderVisit =
  | { path: string; status: 'unchanged'; role: FolderRole }
  | {
      path: string;
      status: 'changed';
      role: FolderRole;
      signature: string;
      subdirs: string[];
      aux: string[];
      files: string[];
      problems: WalkError[];
      movies: FoundMovie[];
    }
  | { path: string; status: 'unreadable'; signature: string; reason: string }
  | { path: string; status: 'gone' };

export interface WalkError {
  path: string;
  reason: string;
}

export interface WalkOptions {
  root: string;
  /** Folders to walk (the root, or one folder for a targeted rescan). */
  starts: string[];
  known: ReadonlyMap<string, PrevFolder>;
  knownFiles: { get(path: string): KnownFile | undefined };
  /** Folders read even when their signature is unchanged. */
  force: ReadonlySet<string>;
  /** Read every folder, ignoring signatures. */
  deep: boolean;
  maxYear: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((done: number, total: number, label: string) => void) | undefined;
  /**
   * Receives what was found so far, every few hundred folders, instead of all of it at the end,
   * so the caller can write while the walk goes on. `run()` then returns empty lists.
   */
  onBatch?: ((batch: WalkBatch) => void) | undefined;
  /** Yield to the event loop this often; a walk on its own thread never needs to (Infinity). */
  sliceMs?: number | undefined;
  /**
   * False: visit only `starts` and return the folders below them in `rest`, unwalked (a walk in
   * several threads reads the top of the library first, then hands its folders out).
   */
  descend?: boolean | undefined;
  /**
   * Known folders' signatures taken a moment ago by other threads (`checkFolders`, on slow
   * storage): one found unchanged is not asked again, one found changed is read at once.
   */
  checked?: ReadonlyMap<string, CheckedFolder> | undefined;
  /**
   * Folder identity (dev:ino) → the path it was first reached by: shared by the walks of one
   * thread, and seeded with the folders other threads read first, so a link back up is a loop.
   */
  seen?: Map<string, string> | undefined;
}

export interface WalkBatch extends WalkResult {
  /** Folders read so far, and the most there may be (the known folders, or those queued). */
  done: number;
  total: number;
}

export interface WalkResult {
  visits: FolderVisit[];
  errors: WalkError[];
  /** Folders reached but left unwalked (`descend: false`). */
  rest?: string[];
}

/**
 * The identity (dev:ino) of a folder read by a walk, from its signature, which starts with the
 * folder's own stat (see statSignature).
 */
export function folderIdentity(signature: string): string | null {
  const second = signature.indexOf(':', signature.indexOf(':') + 1);
  return second > 0 ? signature.slice(0, second) : null;
}

/**
 * A folder's child by a name read from it (or `art folder/name`): plain concatenation, where
 * path.join would normalise the whole path again, tens of thousands of times per scan.
 */
function childPath(dir: string, rel: string): string {
  const name = path.sep === '/' ? rel : rel.replaceAll('/', path.sep);
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

const SLICE_MS = 12;
/** Folders per streamed batch: a few milliseconds of writing on the receiving side. */
const BATCH_FOLDERS = 256;
const AUX_DIRS = new Set([EXTRAFANART_DIR, ACTORS_DIR]);

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied';
    case 'ENOENT':
      return 'Not found';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'ENOTDIR':
      return 'Not a folder';
    case 'EIO':
      return 'Input/output error';
    case 'ENAMETOOLONG':
      return 'The name is too long';
    default:
      return e?.code ?? (e instanceof Error ? e.message : String(err));
  }
}

function statSignature(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** One folder's signature: its own stat plus its art sub-folders' (they belong to its movie). */
function folderSignature(dir: string, st: Stats, aux: readonly string[]): string {
  let sig = statSignature(st);
  for (const name of aux) {
    let part = '-';
    try {
      part = statSignature(statSync(childPath(dir, name)));
    } catch {
      // A vanished art folder simply changes the signature.
    }
    sig += `|${name}=${part}`;
  }
  return sig;
}

/**
 * The part of a folder's signature its files add: a file rewritten in place (an edited NFO, a
 * poster saved over) changes its own size or time but not the folder's.
 */
function filesSignature(sizeAndTimes: Iterable<string>): string {
  let sig = '';
  for (const part of sizeAndTimes) sig += `|${part}`;
  return sig;
}

/**
 * A watched file's part of its folder's signature. The ctime is there for problems a fix may
 * not otherwise show: a permission granted changes a file's ctime and nothing else.
 */
function statPart(st: { size: number; mtimeMs: number; ctimeMs: number }): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** {@link statPart} of a file now; `-` when it cannot be stat'ed. */
function statPartOf(abs: string): string {
  try {
    const st = statSync(abs, { throwIfNoEntry: false });
    return st ? statPart(st) : '-';
  } catch {
    return '-';
  }
}

/** The signature parts of each of a folder's watched files, now. */
function* currentFileStats(dir: string, files: readonly string[]): Generator<string> {
  for (const rel of files) yield statPartOf(childPath(dir, rel));
}

/** A known folder's signature now, to compare with the one the last scan recorded. */
function currentSignature(dir: string, st: Stats, prev: Pick<PrevFolder, 'aux' | 'files'>): string {
  return folderSignature(dir, st, prev.aux) + filesSignature(currentFileStats(dir, prev.files));
}

/** What a known folder looks like now: its identity and signature. */
export interface CheckedFolder {
  identity: string;
  signature: string;
}

/**
 * The signatures of known folders, now: the stats a rescan asks of each folder, taken apart from
 * the walk so that, on slow storage, several threads can take them at once. A folder that cannot
 * be stat'ed as a folder is left out (the walk finds out why).
 */
export function checkFolders(
  folders: readonly [string, Pick<PrevFolder, 'aux' | 'files'>][],
): [string, CheckedFolder][] {
  const out: [string, CheckedFolder][] = [];
  for (const [dir, prev] of folders) {
    try {
      const st = statSync(dir);
      if (st.isDirectory())
        out.push([dir, { identity: `${st.dev}:${st.ino}`, signature: currentSignature(dir, st, prev) }]);
    } catch {
      // gone or unreadable: the walk reports it
    }
  }
  return out;
}

/**
 * One buffer per thread for reading library files: a scan reads thousands of pictures and NFOs
 * only to hash and sniff them, and a fresh buffer for each is garbage a moment later. Larger
 * than any NFO we parse, and than nearly every picture.
 */
const READ_BUFFER_BYTES = 4 * 1024 * 1024;
let readBuffer: Buffer | null = null;

interface PictureSize {
  width: number;
  height: number;
}

/** The format a picture's first bytes declare; null when they are not a JPEG, PNG or WebP. */
function pictureFormat(head: Uint8Array): StoredFormat | null {
  const sniffed = sniffFormat(head);
  return sniffed.kind === 'image' ? sniffed.format : null;
}

/** A picture's first bytes, kept when it spans several reads of the shared buffer (for damageOf). */
let headBuffer: Buffer | null = null;

/**
 * How much of a picture's end {@link damageOf} is shown at least, so that zero padding after the
 * end marker can be skipped: when the last read is shorter, the end of the read before joins it.
 */
const TAIL_KEEP_BYTES = 4096;

/**
 * The last bytes of a file read in several chunks, the last `chunk` bytes at the start of `buf`.
 * A read writes only the bytes it returns, so the rest of the previous chunk still sits in `buf`
 * after them: a short last chunk is joined to it (a copy of a few KB, for a rare file).
 */
function tailOf(buf: Buffer, chunk: number, previous: number): Buffer {
  if (chunk >= TAIL_KEEP_BYTES || previous <= chunk) return buf.subarray(0, chunk);
  const from = Math.max(chunk, previous - TAIL_KEEP_BYTES);
  return Buffer.concat([buf.subarray(from, previous), buf.subarray(0, chunk)]);
}

interface HashedFile {
  sha256: string;
  size: number;
  mtime: number;
  /** The stat's part of the folder signature (see statPart). */
  statPart: string;
  header: PictureSize | null;
  /** Why a picture's bytes stop before its format says they end (see damageOf); null when whole. */
  damage: string | null;
  /**
   * The file's first bytes, a view of the shared buffer valid until the next read: all of them
   * whenever the file fits the buffer, as every NFO small enough to parse does.
   */
  head: Buffer;
}

/** Stats, hashes and (for pictures) sizes a file through one open: one path lookup, no allocation. */
function readAndHash(abs: string, image: boolean): HashedFile {
  const buf = (readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES));
  const fd = openSync(abs, 'r');
  try {
    const st = fstatSync(fd);
    const hash = createHash('sha256');
    let size = 0;
    let reads = 0;
    let header: PictureSize | null = null;
    let format: StoredFormat | null = null;
    /** Bytes of the last read (at the start of the buffer) and of the read before it. */
    let chunk = 0;
    let previous = 0;
    // Stop at the size fstat gave rather than at a read of nothing: one system call fewer per file.
    do {
      const n = readSync(fd, buf, 0, buf.length, size);
      if (n === 0) break;
      if (reads++ === 0 && image) {
        format = pictureFormat(buf.subarray(0, n));
        header = format ? readHeader(buf.subarray(0, n), format, { sizeOnly: true }) : null;
        // The next read overwrites the head: keep what damageOf reads of it.
        if (format && n < st.size)
          buf.copy((headBuffer ??= Buffer.allocUnsafe(DAMAGE_TAIL_BYTES)), 0, 0, DAMAGE_TAIL_BYTES);
      }
      hash.update(buf.subarray(0, n));
      previous = chunk;
      chunk = n;
      size += n;
    } while (size < st.size);
    let damage: string | null = null;
    if (format) {
      const whole = reads <= 1;
      const head = whole ? buf.subarray(0, size) : headBuffer!;
      damage = damageOf(format, head, whole ? buf.subarray(0, chunk) : tailOf(buf, chunk, previous), size);
    }
    return {
      sha256: hash.digest('hex'),
      size,
      mtime: st.mtimeMs,
      statPart: statPart(st),
      header,
      damage,
      head: buf.subarray(0, reads <= 1 ? size : 0),
    };
  } finally {
    closeSync(fd);
  }
}

interface Entry {
  name: string;
  lower: string;
  /** Resolved type (symlinks followed). */
  kind: 'file' | 'dir';
  stat: Stats | null;
}

interface Listing {
  files: Entry[];
  dirs: Entry[];
}

/**
 * Lists a folder, following symbolic links, dropping names that are not valid UTF-8 (Node
 * cannot address them by string) and broken links, each reported.
 */
function listFolder(dir: string, errors: WalkError[]): Listing {
  const dirents = readEntries(dir);
  const files: Entry[] = [];
  const dirs: Entry[] = [];
  let badNames: Buffer[] | null = null;
  for (const d of dirents) {
    const name = d.name;
    if (name.includes('\uFFFD')) {
      // The string form replaced undecodable bytes; report the real bytes once per folder.
      badNames ??= (readdirSync(dir, { encoding: 'buffer' }) as Buffer[]).filter((b) =>
        b.toString('utf8').includes('\uFFFD'),
      );
      continue;
    }
    if (d.isDirectory()) {
      dirs.push({ name, lower: name.toLowerCase(), kind: 'dir', stat: null });
    } else if (d.isFile()) {
      files.push({ name, lower: name.toLowerCase(), kind: 'file', stat: null });
    } else if (d.isSymbolicLink()) {
      const full = childPath(dir, name);
      try {
        const st = statSync(full);
        if (st.isDirectory()) dirs.push({ name, lower: name.toLowerCase(), kind: 'dir', stat: st });
        else if (st.isFile()) files.push({ name, lower: name.toLowerCase(), kind: 'file', stat: st });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        errors.push({
          path: full,
          reason:
            code === 'ENOENT'
              ? 'Broken symbolic link (its target does not exist)'
              : `Symbolic link cannot be followed (${errnoText(err)})`,
        });
      }
    }
  }
  for (const b of badNames ?? []) {
    errors.push({
      path: childPath(dir, b.toString('utf8')),
      reason: `The name is not valid UTF-8 (bytes ${b.toString('hex')}); rename it to include it`,
    });
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  dirs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, dirs };
}

/** A folder entry: its name and what it is (links not followed). */
type FolderEntry = Pick<Dirent, 'name' | 'isFile' | 'isDirectory' | 'isSymbolicLink'>;

/**
 * A folder's entries. Where the filesystem lists no entry types (some network shares, FUSE),
 * Node stats each entry, and one removed in between (another program's temp file) fails the
 * whole listing with ENOENT: then the names are listed and typed one by one, an entry gone
 * meanwhile left out. A folder that is itself gone still throws.
 */
function readEntries(dir: string): FolderEntry[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const entries: FolderEntry[] = [];
    for (const name of readdirSync(dir)) {
      // A name that is not UTF-8 cannot be stat'ed by its string: kept untyped, listFolder reports it.
      const info = name.includes('\uFFFD') ? null : lstatSync(childPath(dir, name), { throwIfNoEntry: false });
      if (info === undefined) continue; // gone since the listing
      entries.push({
        name,
        isFile: () => info?.isFile() ?? false,
        isDirectory: () => info?.isDirectory() ?? false,
        isSymbolicLink: () => info?.isSymbolicLink() ?? false,
      });
    }
    return entries;
  }
}

interface VideoGroup {
  basename: string;
  /** Stems that may also prefix this movie's art and NFO (the first part's own stem). */
  altBasenames: string[];
  parts: Entry[];
}

function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** cd2 before cd10. One collator for all: localeCompare with options builds a new one per call. */
const VOLUME_ORDER = new Intl.Collator('en', { numeric: true });

/**
 * Lettered parts stack only when they differ by nothing but their letter and the letters run
 * a, b(, c, d): `Plan A.avi` beside `Plan B.avi` is a stack, `Plan B.avi` beside `Plan C.avi`
 * is two movies. Numbered parts always pass.
 */
function isLetterStack(parts: readonly { volume: string; letter: string | null }[]): boolean {
  if (parts[0]?.letter == null) return true;
  const token = parts[0].volume.slice(0, -1);
  return parts.every((p) => p.volume.slice(0, -1) === token) && isLetterRun(parts.map((p) => p.letter!));
}

/** Groups video files into movies: stacked parts (cd1/cd2…) become one movie. */
function groupVideos(videos: Entry[]): VideoGroup[] {
  const stacks = new Map<
    string,
    { basename: string; parts: { entry: Entry; volume: string; letter: string | null }[] }
  >();
  const singles: Entry[] = [];
  for (const v of videos) {
    const part = stackPartOf(v.name);
    if (!part) {
      singles.push(v);
      continue;
    }
    // Lettered and numbered volumes never mix: `Movie cd1` and `Movie-a` are not one stack.
    const key = `${part.stackName.toLowerCase()}\u0000${part.ext.toLowerCase()}\u0000${part.letter ? 'a' : '1'}`;
    const stack = stacks.get(key) ?? { basename: part.stackName.replace(/[ _.-]+$/, ''), parts: [] };
    stack.parts.push({ entry: v, volume: part.volume.toLowerCase(), letter: part.letter });
    stacks.set(key, stack);
  }
  const groups: VideoGroup[] = [];
  for (const stack of stacks.values()) {
    // A lone "Part 2" is a title, not a stack: Kodi stacks only two or more parts.
    if (stack.parts.length < 2 || !stack.basename || !isLetterStack(stack.parts)) {
      singles.push(...stack.parts.map((p) => p.entry));
      continue;
    }
    stack.parts.sort((a, b) => VOLUME_ORDER.compare(a.volume, b.volume));
    const first = stack.parts[0]!.entry;
    groups.push({
      basename: stack.basename,
      altBasenames: [stemOf(first.name)],
      parts: stack.parts.map((p) => p.entry),
    });
  }
  for (const v of singles) groups.push({ basename: stemOf(v.name), altBasenames: [], parts: [v] });
  groups.sort((a, b) => (a.basename < b.basename ? -1 : a.basename > b.basename ? 1 : 0));
  return groups;
}

/** A folder's disc structure (see LibraryWalker.#findDisc). */
interface Disc {
  /** The VIDEO_TS/BDMV folder, or the marker file of a structure laid into the movie folder. */
  entry: Entry;
  /** NFOs inside the structure folder, relative to the movie folder. */
  nfos: string[];
  /** Lower-case names of the loose structure's own sub-folders (never movies of their own). */
  ownDirs: readonly string[];
}

/** A folder's video files that may be movies: samples, trailers and extras left out. */
function movieVideos(files: readonly Entry[]): Entry[] {
  return files.filter((f) => {
    const ext = extensionOf(f.lower);
    return isVideoExtension(ext) && !isSkippedVideoStem(f.lower.slice(0, -(ext.length + 1)));
  });
}

/** A movie being assembled from one folder's listing. */
interface Draft {
  group: VideoGroup | null;
  movie: FoundMovie;
  /** Candidate files with what naming recognised, before reading them. */
  recognized: { rel: string; abs: string; entry: Entry | null; what: RecognizedFile }[];
}

export class LibraryWalker {
  readonly #o: WalkOptions;
  readonly #errors: WalkError[] = [];
  readonly #visits: FolderVisit[] = [];
  /** Folder identity (dev:ino) → the path it was first scanned under. */
  readonly #seen: Map<string, string>;
  /**
   * The folder being classified's watched files and their stats: every NFO and picture read,
   * and the video of a movie with a problem. A rescan skips the folder only while all are as
   * they were, so an edit in place, or the fix of a problem, is seen.
   */
  #watched: { path: string; stat: string }[] = [];
  #sliceStart = performance.now();
  #done = 0;

  constructor(options: WalkOptions) {
    this.#o = options;
    this.#seen = options.seen ?? new Map();
  }

  async run(): Promise<WalkResult> {
    // A list with a read index: shift() on a long array costs a copy of it every time.
    const queue: string[] = [...this.#o.starts];
    const expected = Math.max(this.#o.known.size, 1);
    const sliceMs = this.#o.sliceMs ?? SLICE_MS;
    const onBatch = this.#o.onBatch;
    const rest: string[] = [];
    const below = this.#o.descend === false ? rest : queue;
    for (let next = 0; next < queue.length; next++) {
      const dir = queue[next]!;
      const children = this.#visit(dir, dir === this.#o.root);
      for (const c of children) below.push(c);
      this.#done++;
      if (onBatch && this.#visits.length >= BATCH_FOLDERS) this.#flush(onBatch, Math.max(expected, queue.length));
      if (performance.now() - this.#sliceStart > sliceMs) {
        this.#o.onProgress?.(this.#done, Math.max(expected, queue.length), dir);
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.#sliceStart = performance.now();
        if (this.#o.signal?.aborted) throw this.#o.signal.reason ?? new DOMException('Cancelled', 'AbortError');
      }
    }
    if (onBatch) this.#flush(onBatch, this.#done);
    this.#o.onProgress?.(this.#done, this.#done, '');
    return { visits: this.#visits, errors: this.#errors, rest };
  }

  /** Notes a folder's first path; false (reported) when this identity was reached before. */
  #firstVisit(dir: string, identity: string): boolean {
    const seenAs = this.#seen.get(identity);
    if (seenAs !== undefined) {
      this.#errors.push({ path: dir, reason: secondPathReason(dir, seenAs) });
      return false;
    }
    this.#seen.set(identity, dir);
    return true;
  }

  /** A folder as the last scan left it: its problems said again, its sub-folders still to walk. */
  #unchanged(dir: string, prev: PrevFolder): string[] {
    this.#errors.push(...prev.problems);
    this.#visits.push({ path: dir, status: 'unchanged', role: prev.role });
    return prev.subdirs.map((s) => childPath(dir, s));
  }

  #flush(onBatch: (batch: WalkBatch) => void, total: number): void {
    onBatch({ visits: this.#visits.splice(0), errors: this.#errors.splice(0), done: this.#done, total });
  }

  /** Visits one folder; returns the child folders to walk. */
  #visit(dir: string, isRoot: boolean): string[] {
    const prev = this.#o.known.get(dir);
    const compare = prev !== undefined && prev.role !== 'unreadable' && !this.#o.deep && !this.#o.force.has(dir);
    const checked = compare ? this.#o.checked?.get(dir) : undefined;
    if (checked && checked.signature === prev!.signature) {
      // Found unchanged by the threads a moment ago (slow storage): not asked again.
      if (!this.#firstVisit(dir, checked.identity)) return [];
      return this.#unchanged(dir, prev!);
    }

    let st: Stats;
    try {
      st = statSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.#visits.push({ path: dir, status: 'gone' });
      } else {
        const reason = errnoText(err);
        this.#errors.push({ path: dir, reason: `Folder cannot be read (${reason})` });
        this.#visits.push({ path: dir, status: 'unreadable', signature: '', reason });
      }
      return [];
    }
    if (!st.isDirectory()) {
      this.#visits.push({ path: dir, status: 'gone' });
      return [];
    }
    if (!this.#firstVisit(dir, `${st.dev}:${st.ino}`)) return [];
    // A folder the threads found changed is read without comparing again.
    if (compare && !checked && currentSignature(dir, st, prev!) === prev!.signature) return this.#unchanged(dir, prev!);

    let listing: Listing;
    const problemsFrom = this.#errors.length;
    try {
      listing = listFolder(dir, this.#errors);
    } catch (err) {
      const reason = errnoText(err);
      this.#errors.push({ path: dir, reason: `Folder cannot be read (${reason})` });
      this.#visits.push({ path: dir, status: 'unreadable', signature: statSignature(st), reason });
      return [];
    }
    return this.#classify(dir, isRoot, st, listing, this.#errors.slice(problemsFrom));
  }

  #classify(dir: string, isRoot: boolean, st: Stats, listing: Listing, problems: WalkError[]): string[] {
    const { files, dirs } = listing;
    this.#watched = [];
    const disc = this.#findDisc(dir, dirs, files);
    const videos = movieVideos(files);
    const stack = disc || isRoot || videos.length > 0 ? null : this.#folderStack(dir, dirs);
    const groups = disc ? [] : stack ? [stack.group] : groupVideos(videos);
    const hasMovie = disc !== null || groups.length > 0;
    // Sub-folders that are part of the movie itself: a loose disc's own folders, stacked CD1/CD2.
    const movieDirs = new Set<string>([...(disc?.ownDirs ?? []), ...(stack?.dirs ?? []).map((n) => n.toLowerCase())]);
    // Stacked volume folders count in the signature, as art folders do: their parts are the movie's.
    const aux = dirs
      .filter((d) => AUX_DIRS.has(d.lower))
      .map((d) => d.name)
      .concat(stack?.dirs ?? []);
    const subdirs = dirs
      .filter(
        (d) =>
          d !== disc?.entry &&
          !AUX_DIRS.has(d.lower) &&
          !movieDirs.has(d.lower) &&
          !isSkippedFolderName(d.name, hasMovie),
      )
      .map((d) => d.name);
    const signature = folderSignature(dir, st, aux);
    const role: FolderRole = disc ? 'disc' : hasMovie ? 'movies' : 'container';

    const movies: FoundMovie[] = [];
    if (hasMovie) {
      const layout: MovieLayout = disc ? 'disc' : groups.length === 1 && !isRoot ? 'own-folder' : 'shared-folder';
      const drafts = disc
        ? [this.#discDraft(dir, disc.entry, signature)]
        : groups.map((g) => this.#videoDraft(dir, g, layout, signature));
      this.#recognize(dir, layout, drafts, files, aux, disc?.nfos ?? []);
      for (const d of drafts) {
        this.#readFiles(d);
        movies.push(d.movie);
      }
    }
    for (const m of movies) {
      // The video's own problem (empty, unreadable) goes when the file changes, not the folder.
      if (m.errors.length > 0) this.#watched.push({ path: m.videoPath, stat: statPartOf(m.videoPath) });
    }
    const prefix = dir.endsWith(path.sep) ? dir.length : dir.length + 1;
    const recorded = this.#watched.map((w) => w.path.slice(prefix));
    const stats = this.#watched.map((w) => w.stat);
    this.#visits.push({
      path: dir,
      status: 'changed',
      role,
      signature: signature + filesSignature(stats),
      subdirs,
      aux,
      files: recorded,
      problems,
      movies,
    });
    return subdirs.map((s) => childPath(dir, s));
  }

  /**
   * The disc structure a folder holds: a VIDEO_TS/BDMV sub-folder proven by its marker file, or
   * the marker file itself (`VIDEO_TS.IFO`, `index.bdmv`) when the structure was laid straight
   * into the folder. Null when there is none.
   */
  #findDisc(dir: string, dirs: readonly Entry[], files: readonly Entry[]): Disc | null {
    for (const d of dirs) {
      const spec = DISC_STRUCTURES.find((s) => s.dir === d.lower);
      const inside = spec ? this.#discListing(childPath(dir, d.name)) : null;
      if (spec && inside?.some((n) => n.toLowerCase() === spec.marker)) {
        const nfos = inside.filter((n) => n.toLowerCase().endsWith('.nfo')).map((n) => `${d.name}/${n}`);
        return { entry: d, nfos, ownDirs: [] };
      }
    }
    for (const f of files) {
      const spec = DISC_STRUCTURES.find((s) => s.marker === f.lower);
      // Its NFO (`VIDEO_TS.nfo`, `index.nfo`) is then a file of the folder, recognised with the rest.
      if (spec) return { entry: f, nfos: [], ownDirs: spec.looseDirs };
    }
    return null;
  }

  /**
   * Kodi's folder stacking: a movie folder with no video of its own whose `CD1`, `CD2`…
   * sub-folders each hold exactly one video is one movie in parts, named after the folder.
   * Null when the folder is not laid out so; its sub-folders are then walked as usual.
   */
  #folderStack(dir: string, dirs: readonly Entry[]): { group: VideoGroup; dirs: string[] } | null {
    const volumes = dirs
      .map((entry) => ({ entry, volume: stackFolderVolume(entry.name) }))
      .filter((v): v is { entry: Entry; volume: string } => v.volume !== null)
      .sort((a, b) => VOLUME_ORDER.compare(a.volume, b.volume));
    if (volumes.length < 2) return null;
    const parts: Entry[] = [];
    const problems: WalkError[] = [];
    for (const { entry } of volumes) {
      let inside: Entry[];
      try {
        inside = movieVideos(listFolder(childPath(dir, entry.name), problems).files);
      } catch {
        return null; // walked as an ordinary folder, which reports why it cannot be read
      }
      if (inside.length !== 1) return null;
      parts.push({ ...inside[0]!, name: `${entry.name}/${inside[0]!.name}` });
    }
    this.#errors.push(...problems);
    const first = path.basename(parts[0]!.name);
    return {
      group: { basename: path.basename(dir), altBasenames: [stemOf(first)], parts },
      dirs: volumes.map((v) => v.entry.name),
    };
  }

  #discListing(discDir: string): string[] | null {
    try {
      return readdirSync(discDir);
    } catch (err) {
      this.#errors.push({ path: discDir, reason: `Disc structure cannot be read (${errnoText(err)})` });
      return null;
    }
  }

  #discDraft(dir: string, entry: Entry, signature: string): Draft {
    const videoPath = childPath(dir, entry.name);
    const folderName = path.basename(dir);
    const movie = this.#newMovie(
      dir,
      'disc',
      videoPath,
      entry.name,
      folderName,
      parseMovieName(folderName, { maxYear: this.#o.maxYear }),
      signature,
    );
    try {
      const st = statSync(videoPath);
      movie.video = { size: null, mtime: st.mtimeMs, dev: st.dev, ino: st.ino };
    } catch (err) {
      movie.errors.push(`The disc structure cannot be read (${errnoText(err)})`);
    }
    return { group: null, movie, recognized: [] };
  }

  #videoDraft(dir: string, group: VideoGroup, layout: MovieLayout, signature: string): Draft {
    const first = group.parts[0]!;
    const videoPath = childPath(dir, first.name);
    const opts = { maxYear: this.#o.maxYear };
    // In its own folder the folder name usually says it best; the file name is read when it does not.
    const folderName = layout === 'own-folder' ? parseMovieName(path.basename(dir), opts) : null;
    const name =
      folderName && folderName.year !== null ? folderName : pickName(folderName, parseMovieName(group.basename, opts));
    // The file's own name, also for a part inside a stacked CD1/ folder.
    const movie = this.#newMovie(dir, layout, videoPath, path.basename(videoPath), group.basename, name, signature);
    try {
      const st = first.stat ?? statSync(videoPath);
      movie.video = { size: st.size, mtime: st.mtimeMs, dev: st.dev, ino: st.ino };
      if (st.size === 0) movie.errors.push(`The video file is empty (0 bytes): ${first.name}`);
    } catch (err) {
      movie.errors.push(`The video file cannot be read (${errnoText(err)}): ${first.name}`);
    }
    return { group, movie, recognized: [] };
  }

  #newMovie(
    folder: string,
    layout: MovieLayout,
    videoPath: string,
    videoName: string,
    basename: string,
    name: ParsedName,
    signature: string,
  ): FoundMovie {
    return {
      folder,
      layout,
      videoPath,
      videoName,
      basename,
      name,
      video: null,
      nfo: null,
      nfoUnchanged: true,
      files: [],
      chosen: new Map(),
      errors: [],
      folderSignature: signature,
    };
  }

  /** Assigns every art, NFO and actor file of the folder to its movie, by the naming table. */
  #recognize(
    dir: string,
    layout: MovieLayout,
    drafts: Draft[],
    files: Entry[],
    aux: string[],
    discNfos: string[],
  ): void {
    const candidates: { rel: string; entry: Entry | null }[] = discNfos.map((rel) => ({ rel, entry: null }));
    for (const f of files) {
      const ext = extensionOf(f.lower);
      if (ext === 'nfo' || ext === 'tbn' || isImageFileName(f.lower)) candidates.push({ rel: f.name, entry: f });
    }
    // Art folders belong to the folder's movie, so only to a movie that has the folder to itself.
    if (layout !== 'shared-folder') {
      for (const a of aux) {
        const sub = childPath(dir, a);
        try {
          for (const e of listFolder(sub, this.#errors).files) {
            if (isImageFileName(e.lower)) candidates.push({ rel: `${a}/${e.name}`, entry: e });
          }
        } catch (err) {
          for (const d of drafts) d.movie.errors.push(`The folder ${a} cannot be read (${errnoText(err)})`);
        }
      }
    }
    if (drafts.length === 1) {
      const d = drafts[0]!;
      const bases = [d.movie.basename, ...(d.group?.altBasenames ?? [])];
      for (const c of candidates) {
        const what = bases.map((b) => recognizeMovieFile(c.rel, b, layout)).find((r) => r !== null) ?? null;
        if (what) d.recognized.push({ rel: c.rel, abs: childPath(dir, c.rel), entry: c.entry, what });
      }
      return;
    }
    // Several movies in one folder: a file belongs to the movie whose basename prefixes it.
    const byBase = new Map<string, Draft>();
    for (const d of drafts)
      for (const b of [d.movie.basename, ...(d.group?.altBasenames ?? [])])
        byBase.set(b.normalize('NFC').toLowerCase(), d);
    for (const c of candidates) {
      const stem = stemOf(c.rel).normalize('NFC').toLowerCase();
      const dash = stem.lastIndexOf('-');
      const owner = byBase.get(stem) ?? (dash > 0 ? byBase.get(stem.slice(0, dash)) : undefined);
      if (!owner) continue;
      const bases = [owner.movie.basename, ...(owner.group?.altBasenames ?? [])];
      const what = bases.map((b) => recognizeMovieFile(c.rel, b, layout)).find((r) => r !== null) ?? null;
      if (what) owner.recognized.push({ rel: c.rel, abs: childPath(dir, c.rel), entry: c.entry, what });
    }
  }

  /** Stats, and reads only when changed, every recognised file; picks the NFO and the slot files. */
  #readFiles(d: Draft): void {
    const m = d.movie;
    const nfos = d.recognized
      .filter((r) => r.what.role === 'nfo')
      .sort((a, b) => priorityOf(a.what) - priorityOf(b.what));
    for (const [i, r] of nfos.entries()) {
      const read = this.#readFile(r.abs, r.entry, m, false);
      if (!read) continue;
      m.files.push({
        path: r.abs,
        role: 'nfo',
        assetType: null,
        rank: null,
        form: null,
        sha256: read.sha256,
        bytes: read.bytes,
        mtime: read.mtime,
        width: null,
        height: null,
        unchanged: read.unchanged,
      });
      if (i === 0) {
        m.nfoUnchanged = read.unchanged || read.origin === 'published';
        // An unchanged NFO is still parsed: its ids decide identity. Parsing is cheap next to I/O.
        m.nfo = read.head ? readNfo(read.head, read.bytes) : readNfoFile(r.abs, m);
        // Named from the movie's folder (`VIDEO_TS/VIDEO_TS.nfo`), as every other file problem is.
        if (m.nfo?.error) m.errors.push(`${r.rel}: ${m.nfo.error}`);
      }
    }
    const extras: FoundFile[] = [];
    for (const r of d.recognized) {
      if (r.what.role === 'nfo') continue;
      const read = this.#readFile(r.abs, r.entry, m, true);
      if (!read) continue;
      // A cut-off picture is recorded like one that is no picture at all: there, but not usable art.
      const usable = read.damage === null;
      const base = {
        path: r.abs,
        sha256: read.sha256,
        bytes: read.bytes,
        mtime: read.mtime,
        width: usable ? read.width : null,
        height: usable ? read.height : null,
        unchanged: read.unchanged,
      };
      if (r.what.role === 'actor') {
        m.files.push({ ...base, role: 'actor', assetType: null, rank: null, form: null });
        continue;
      }
      const what = r.what;
      if (!usable) m.errors.push(`${r.rel} is damaged (${read.damage})`);
      else if (base.width === null) m.errors.push(`${r.rel} is not a readable image`);
      let type = what.type;
      if (what.form === 'fallback' && base.width !== null && base.height !== null)
        type = classifyFolderImage(base.width, base.height);
      const file: FoundFile = { ...base, role: 'art', assetType: type, rank: what.rank, form: what.form };
      if (what.rank === null) extras.push(file);
      else m.files.push(file);
    }
    // Un-numbered extrafanart/ pictures take the fanart ranks after the numbered ones.
    let next = Math.max(0, ...m.files.filter((f) => f.assetType === 'fanart').map((f) => (f.rank ?? 0) + 1));
    for (const f of extras.sort((a, b) => (a.path < b.path ? -1 : 1))) m.files.push({ ...f, rank: next++ });
    for (const f of m.files) {
      if (f.role !== 'art' || f.assetType === null || f.rank === null || f.width === null) continue;
      if (f.rank >= ASSET_TYPE_SPECS[f.assetType].maxCount) continue;
      const key = `${f.assetType}:${f.rank}`;
      const cur = m.chosen.get(key);
      if (!cur || ART_FORM_PRECEDENCE[f.form!] < ART_FORM_PRECEDENCE[cur.form!]) m.chosen.set(key, f);
    }
  }

  /**
   * Stat first; read and hash only when size or mtime differ from what was recorded. Returns
   * null (with an error on the movie) when the file cannot be read.
   */
  #readFile(
    abs: string,
    entry: Entry | null,
    m: FoundMovie,
    image: boolean,
  ): {
    sha256: string;
    bytes: number;
    mtime: number;
    width: number | null;
    height: number | null;
    unchanged: boolean;
    origin: KnownFile['origin'] | null;
    /** Its first bytes when it was read (see HashedFile.head); null when it was not. */
    head: Buffer | null;
    /** Why a picture is cut off (see HashedFile.damage); null when whole or not read. */
    damage: string | null;
  } | null {
    try {
      const known = this.#o.knownFiles.get(abs);
      // A file recorded before is stat'ed first and read only when it changed.
      const st = known && !this.#o.deep ? (entry?.stat ?? statSync(abs)) : null;
      // A picture recorded as unusable is read again, so its problem is told as precisely each time.
      const usable = !image || known?.width != null;
      if (known && st && usable && known.bytes === st.size && known.mtime === st.mtimeMs) {
        this.#watched.push({ path: abs, stat: statPart(st) });
        return {
          sha256: known.sha256,
          bytes: known.bytes,
          mtime: known.mtime,
          width: known.width,
          height: known.height,
          unchanged: true,
          origin: known.origin,
          head: null,
          damage: null,
        };
      }
      const read = readAndHash(abs, image);
      this.#watched.push({ path: abs, stat: read.statPart });
      return {
        sha256: read.sha256,
        bytes: read.size,
        mtime: read.mtime,
        width: read.header?.width ?? null,
        height: read.header?.height ?? null,
        unchanged: known !== undefined && known.sha256 === read.sha256,
        origin: known?.origin ?? null,
        head: read.head,
        damage: read.damage,
      };
    } catch (err) {
      m.errors.push(`${path.basename(abs)} cannot be read (${errnoText(err)})`);
      this.#watched.push({ path: abs, stat: statPartOf(abs) });
      return null;
    }
  }
}

/**
 * Why a folder reached a second time is skipped. A link to one of its own ancestors is a loop
 * (it would lead down forever); any other second path (`GoodLink -> Good (2000)`) is only a
 * duplicate, and saying "loop" there would send the user looking for a problem that is not there.
 */
export function secondPathReason(dir: string, seenAs: string): string {
  const parent = path.dirname(dir);
  let loop = parent.startsWith(seenAs + path.sep) || parent === seenAs;
  try {
    const real = realpathSync(dir);
    const realParent = realpathSync(parent);
    loop ||= realParent === real || realParent.startsWith(real.endsWith(path.sep) ? real : real + path.sep);
  } catch {
    // Gone meanwhile: the walked paths above decide.
  }
  if (loop) return 'Symbolic link loop: this folder was already scanned under another path';
  const how = isLink(dir)
    ? `a symbolic link to ${seenAs}`
    : isLink(seenAs)
      ? `${seenAs} is a symbolic link to it`
      : `also reached as ${seenAs}, through a symbolic link`;
  return `Skipped: this folder was already scanned under another path (${how})`;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function priorityOf(what: RecognizedFile): number {
  return what.role === 'nfo' ? what.priority : 99;
}

function readNfoFile(abs: string, m: FoundMovie): NfoInfo | null {
  try {
    return readNfo(readFileSync(abs));
  } catch (err) {
    m.errors.push(`${path.basename(abs)} cannot be read (${errnoText(err)})`);
    return null;
  }
}
