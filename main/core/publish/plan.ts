import { createHash } from 'node:crypto';
import path from 'node:path';
import type { AssetType } from '../../../shared/asset-types.ts';
import type { ItemFields } from '../../../shared/fields.ts';
import {
  actorFileName,
  artFileNames,
  nfoFileNames,
  type ImageExtension,
  type MovieLayout,
} from '../../../shared/naming.ts';
import type { NamingStyle } from '../../../shared/settings.ts';
import { renderMovieNfo, type ExistingNfo, type NfoInput } from './nfo-writer.ts';

/*
 * The publish planner: what should be on disk for one movie, compared with what the ledger
 * (`library_files`) and the disk say is there, as a list of operations. Pure — every fact about
 * the disk comes in as data (see observe.ts) — so plans are snapshot-testable and a dry run shows
 * exactly what a real run would do.
 *
 * Ownership (CONVENTIONS rule 9): a file with a `published` ledger row of this item is ours and
 * may be replaced or recycled. A file with an `original` row is the user's art the scanner found:
 * it is replaced only by publishing a new choice for its own slot, and goes to the recycle bin.
 * A file with no row belongs to the user and is never overwritten or removed — except a foreign
 * NFO (`publish.overwriteForeignNfo`) and unknown images (`publish.cleanupUnknownImages`), which
 * go to the recycle bin first. A file identical to what we would write is adopted, since
 * replacing those bytes later loses nothing (they are in the cache). An NFO written over an
 * existing one carries over that file's elements the new one does not cover (nfo-writer.ts), so
 * its bytes depend on `item.nfoOnDisk` as well as the fields.
 *
 * A name that changes (naming style, renamed video) whose old file is ours and proven to hold the
 * wanted bytes is a `rename`: on a large library a copy beside a recycled duplicate would double
 * the artwork on disk. An NFO names only the art this plan writes or keeps, never a name in error.
 *
 * Locked slots under automated publishing (`automated: true`, a run nobody asked for right now:
 * after auto-select, a webhook, a schedule): the lock says the user decided this type, so
 * automation only ever restores a missing file of a locked slot. It never replaces a file that
 * differs (the user may have put it there), never recycles a stale file or an original of that
 * slot. A person publishing (`automated: false`) gets exactly what the slots say.
 */

/** Publishing options from settings (and the library's overrides). */
export interface PublishSettings {
  style: NamingStyle;
  movieNfo: boolean;
  extrafanartFolder: boolean;
  overwriteForeignNfo: boolean;
  cleanupUnknownImages: boolean;
  actorImages: boolean;
}

export interface PlanItem {
  id: number;
  title: string;
  year: number | null;
  tmdbId: number | null;
  imdbId: string | null;
  /** Absolute folder the art goes into (the movie folder, also for disc structures). */
  folder: string;
  basename: string;
  layout: MovieLayout;
  /**
   * NFO files already at this item's NFO paths (absolute path → text), read by load.ts so the new
   * NFO carries over what it would otherwise lose. A path not here has no readable NFO.
   */
  nfoOnDisk?: ReadonlyMap<string, ExistingNfo>;
}

/** A chosen image as the planner needs it; `bytes` lets the disk check skip hashing. */
export interface PlanBlob {
  sha: string;
  ext: ImageExtension;
  bytes: number;
  width: number | null;
  height: number | null;
}

export interface PlanSlot {
  assetType: AssetType;
  rank: number;
  chosenBy: 'auto' | 'user' | 'original';
  locked: boolean;
  /** null: chosen but not downloaded yet — its files are left as they are. */
  blob: PlanBlob | null;
  /**
   * The chosen image's hash when it was downloaded once but its cache file is no longer
   * available (quarantined by a check, recycled): nothing can be published for it until it is
   * repaired or chosen again. Its files are left as they are too.
   */
  lostSha?: string;
}

export interface PlanActor {
  name: string;
  blob: PlanBlob;
}

/** One `library_files` row. */
export interface LedgerEntry {
  id: number;
  itemId: number | null;
  path: string;
  role: 'art' | 'nfo' | 'actor';
  assetType: string | null;
  rank: number | null;
  origin: 'original' | 'published';
  sha256: string;
  bytes: number;
  mtime: number;
}

/**
 * What is at a path. `sha` is known when the file was hashed or its size and mtime match the
 * ledger row (then the ledger's hash is trusted); null means "not known to be any hash we want".
 */
export interface DiskEntry {
  kind: 'file' | 'dir' | 'other';
  size: number;
  mtimeMs: number;
  sha: string | null;
}

export interface ItemPlanInput {
  item: PlanItem;
  slots: readonly PlanSlot[];
  fields: ItemFields;
  /** Actor pictures available in the cache, in billing order. */
  actors: readonly PlanActor[];
  /** Ledger rows of this item, plus rows of other items at paths inside this item's folder. */
  ledger: readonly LedgerEntry[];
  /** Absolute path → what is there; a path not in the map has nothing there. */
  disk: ReadonlyMap<string, DiskEntry>;
  folderExists: boolean;
  /**
   * Image files found in the folder (relative, `/`-separated: top level, `extrafanart/`,
   * `.actors/`), for `cleanupUnknownImages`.
   */
  folderImages: readonly string[];
  /** Other items whose folder is this one (several movies in one folder). */
  siblings: readonly { id: number; basename: string }[];
  settings: PublishSettings;
  automated: boolean;
  /** `desiredFiles` of this same input, when the caller already computed it. */
  desired?: ReturnType<typeof desiredFiles>;
}

export type FileRole = 'art' | 'nfo' | 'actor';

/** What a file should hold: an image from the cache, or generated text (the NFO). */
export type FileSource = { kind: 'blob'; blob: PlanBlob } | { kind: 'text'; text: string };

/** A file that should exist after publishing. */
export interface DesiredFile {
  path: string;
  rel: string;
  role: FileRole;
  assetType: AssetType | null;
  rank: number | null;
  source: FileSource;
  sha: string;
  bytes: number;
  /** For a twin (folder-form copy, extrafanart): the primary file it is a link of. */
  twinOf: string | null;
  /** The slot behind it is locked. */
  locked: boolean;
  /** For an NFO: what it is rendered from, so it can name only the art that is really in place. */
  nfo?: NfoRender;
}

/** A file an NFO may name: where it is, and the name the NFO uses (relative to the NFO). */
export interface NamedFile {
  path: string;
  rel: string;
}

/**
 * An NFO before it knows which art landed. Each picture has its names in order of preference
 * (primary, then twins), and the NFO names the first one in place; one with none in place is
 * left out, as Kodi shows a broken picture for a name that holds nothing.
 */
export interface NfoRender {
  input: Omit<NfoInput, 'art' | 'fanart' | 'actorThumbs'>;
  /** Rank 0 of each type except fanart, in the order the NFO lists them. */
  art: { assetType: AssetType; names: NamedFile[] }[];
  /** Fanart in rank order. */
  fanart: NamedFile[][];
  actors: { name: string; file: NamedFile }[];
  existing: ExistingNfo | undefined;
}

/** The NFO text naming only the files for which `inPlace` holds. */
export function renderNfo(render: NfoRender, inPlace: (path: string) => boolean): string {
  const pick = (names: readonly NamedFile[]) => names.find((n) => inPlace(n.path))?.rel;
  const art: Partial<Record<AssetType, string>> = {};
  for (const a of render.art) {
    const rel = pick(a.names);
    if (rel !== undefined) art[a.assetType] = rel;
  }
  const fanart = render.fanart.flatMap((names) => pick(names) ?? []);
  const actorThumbs = new Map(render.actors.filter((a) => inPlace(a.file.path)).map((a) => [a.name, a.file.rel]));
  return renderMovieNfo({ ...render.input, art, fanart, actorThumbs }, render.existing);
}

export type WriteReason =
  | 'new' // nothing there and never published
  | 'missing' // published before, gone now (Radarr upgrade, disk swap)
  | 'changed' // ours, and a different image is chosen now
  | 'modified' // ours, but changed on disk since we wrote it
  | 'replace-original' // the user's original, replaced by a new choice for its slot
  | 'replace-foreign'; // a file we did not write, replaced by the user's setting

export type RecycleReason = 'stale' | 'old-name' | 'replaced-original' | 'modified' | 'foreign-nfo' | 'unknown-image';

export type KeepReason =
  | 'identical'
  | 'locked' // automated run, locked slot, a different file is there
  | 'foreign-nfo' // the user's NFO, and overwriting foreign NFOs is off
  | 'foreign-actor' // the user's own actor picture
  | 'pending'; // the slot's image is not downloaded yet

/** The file at a target that must go to the recycle bin right before the new one lands. */
export interface Displace {
  ledgerId: number | null;
  reason: RecycleReason;
  /** False for our own unmodified file: its bytes are in the cache, so it is simply replaced. */
  recycle: boolean;
}

interface FileFacts {
  path: string;
  rel: string;
  role: FileRole;
  assetType: AssetType | null;
  rank: number | null;
}

export type PlanOp =
  | (FileFacts & {
      op: 'write';
      source: FileSource;
      sha: string;
      bytes: number;
      why: WriteReason;
      displace: Displace | null;
    })
  | (FileFacts & {
      op: 'link';
      from: string;
      source: FileSource;
      sha: string;
      bytes: number;
      why: WriteReason;
      displace: Displace | null;
    })
  | (FileFacts & {
      op: 'keep';
      sha: string | null;
      why: KeepReason;
      ledger: 'none' | 'refresh' | 'adopt';
      ledgerId: number | null;
    })
  | (FileFacts & {
      /**
       * Our own file holding exactly these bytes under a name no longer used (naming style
       * changed, video renamed) takes the new name: no copy, no recycled duplicate.
       */
      op: 'rename';
      from: string;
      fromRel: string;
      fromLedgerId: number;
      /** The old file as observed; it is renamed only while it still looks so. */
      fromSize: number;
      fromMtimeMs: number;
      source: FileSource;
      sha: string;
      bytes: number;
      why: WriteReason;
      displace: Displace | null;
    })
  | (FileFacts & { op: 'recycle'; ledgerId: number | null; reason: RecycleReason; after: string[] })
  | (FileFacts & { op: 'forget'; ledgerId: number })
  | { op: 'error'; path: string | null; rel: string | null; reason: string };

export interface ItemPlan {
  itemId: number;
  ops: PlanOp[];
  /** Things the user should know that are not errors (a kept foreign NFO, a pending slot). */
  warnings: { path: string | null; reason: string }[];
  /**
   * NFO path → how it is rendered and the text planned (written or kept), so the executor can
   * leave out art whose write failed.
   */
  nfos?: Map<string, { render: NfoRender; text: string }>;
}

/**
 * A file's mtime as the ledger keeps it: whole milliseconds, rounded — the float `mtimeMs` of a
 * file stamped at an exact millisecond can read …999 — so a stat compares equal to its row.
 */
export function ledgerMtime(mtimeMs: number): number {
  return Math.round(mtimeMs);
}

/** Actor pictures written per movie at most, in billing order. */
export const MAX_ACTOR_IMAGES = 30;

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function abs(folder: string, rel: string): string {
  return path.join(folder, ...rel.split('/'));
}

function relOf(folder: string, file: string): string {
  return path.relative(folder, file).split(path.sep).join('/');
}

/** Layout used for naming: several movies in one folder are a shared folder, whatever the scan said. */
export function namingLayout(item: PlanItem, siblings: readonly unknown[]): MovieLayout {
  return siblings.length > 0 && item.layout === 'own-folder' ? 'shared-folder' : item.layout;
}

/** Whether the item carries enough metadata for an NFO (an NFO without it would stop Kodi scraping). */
export function wantsNfo(item: PlanItem, fields: ItemFields): boolean {
  return (
    (item.tmdbId !== null || item.imdbId !== null) && typeof fields.title === 'string' && fields.title.trim() !== ''
  );
}

/**
 * Every file that should exist for the item, primaries before their twins, art before actors
 * before the NFO (which names them). Throws nothing: a slot whose names cannot be made is
 * reported in `errors`.
 */
export function desiredFiles(
  input: Pick<ItemPlanInput, 'item' | 'slots' | 'fields' | 'actors' | 'siblings' | 'settings'>,
): {
  files: DesiredFile[];
  errors: { rel: string | null; reason: string }[];
} {
  const { item, settings } = input;
  const layout = namingLayout(item, input.siblings);
  const files: DesiredFile[] = [];
  const errors: { rel: string | null; reason: string }[] = [];
  const art: NfoRender['art'] = [];
  const fanart: { rank: number; names: NamedFile[] }[] = [];

  const slots = [...input.slots].sort((a, b) => a.assetType.localeCompare(b.assetType) || a.rank - b.rank);
  for (const slot of slots) {
    if (!slot.blob) continue;
    let names: string[];
    try {
      names = artFileNames(slot.assetType, slot.rank, item.basename, settings.style, layout, slot.blob.ext, {
        extrafanartFolder: settings.extrafanartFolder,
      });
    } catch (err) {
      errors.push({ rel: null, reason: `${slot.assetType} #${slot.rank}: ${(err as Error).message}` });
      continue;
    }
    const primary = abs(item.folder, names[0]!);
    names.forEach((rel, i) => {
      files.push({
        path: abs(item.folder, rel),
        rel,
        role: 'art',
        assetType: slot.assetType,
        rank: slot.rank,
        source: { kind: 'blob', blob: slot.blob! },
        sha: slot.blob!.sha,
        bytes: slot.blob!.bytes,
        twinOf: i === 0 ? null : primary,
        locked: slot.locked,
      });
    });
    const named = names.map((rel) => ({ path: abs(item.folder, rel), rel }));
    if (slot.assetType === 'fanart') fanart.push({ rank: slot.rank, names: named });
    else if (slot.rank === 0) art.push({ assetType: slot.assetType, names: named });
  }

  // Actors live next to the NFO; in a shared folder `.actors/` belongs to no single movie.
  const actorThumbs: NfoRender['actors'] = [];
  if (settings.actorImages && layout !== 'shared-folder') {
    const taken = new Set<string>();
    for (const actor of input.actors.slice(0, MAX_ACTOR_IMAGES)) {
      const rel = actorFileName(actor.name, actor.blob.ext);
      if (taken.has(rel.toLowerCase())) continue;
      taken.add(rel.toLowerCase());
      actorThumbs.push({ name: actor.name, file: { path: abs(item.folder, rel), rel } });
      files.push({
        path: abs(item.folder, rel),
        rel,
        role: 'actor',
        assetType: null,
        rank: null,
        source: { kind: 'blob', blob: actor.blob },
        sha: actor.blob.sha,
        bytes: actor.blob.bytes,
        twinOf: null,
        locked: false,
      });
    }
  }

  if (wantsNfo(item, input.fields)) {
    const nfoInput = {
      title: item.title,
      year: item.year,
      tmdbId: item.tmdbId,
      imdbId: item.imdbId,
      fields: input.fields,
    };
    const fanartNames = fanart.sort((a, b) => a.rank - b.rank).map((f) => f.names);
    // Each NFO path carries over from its own file, so their texts may differ.
    for (const { rel, path: nfoPath } of nfoPaths(item, input.siblings, settings)) {
      const nfo: NfoRender = {
        input: nfoInput,
        art,
        fanart: fanartNames,
        actors: actorThumbs,
        existing: item.nfoOnDisk?.get(nfoPath),
      };
      // As if every file lands; the planner and the executor leave out what does not.
      const text = renderNfo(nfo, () => true);
      files.push({
        path: nfoPath,
        rel,
        role: 'nfo',
        assetType: null,
        rank: null,
        source: { kind: 'text', text },
        sha: sha256Text(text),
        bytes: Buffer.byteLength(text, 'utf8'),
        twinOf: null,
        locked: false,
        nfo,
      });
    }
  }
  return { files, errors };
}

/** Where the item's NFO files go (relative and absolute), whether or not it wants an NFO now. */
export function nfoPaths(
  item: PlanItem,
  siblings: readonly unknown[],
  settings: Pick<PublishSettings, 'movieNfo'>,
): { rel: string; path: string }[] {
  return nfoFileNames(item.basename, namingLayout(item, siblings), { movieNfo: settings.movieNfo }).map((rel) => ({
    rel,
    path: abs(item.folder, rel),
  }));
}

const slotKey = (type: string | null, rank: number | null) => `${type ?? ''}#${rank ?? 0}`;

/**
 * The operations that bring one item's folder to its desired state. Order: displacing writes and
 * links in desired order (primaries first), then recycles that depend on those writes (`after`),
 * then ledger clean-up.
 */
export function planItem(input: ItemPlanInput): ItemPlan {
  const { item, disk, settings, automated } = input;
  const ops: PlanOp[] = [];
  const warnings: ItemPlan['warnings'] = [];
  const nfos: NonNullable<ItemPlan['nfos']> = new Map();
  const plan = { itemId: item.id, ops, warnings, nfos };

  if (!input.folderExists) {
    ops.push({
      op: 'error',
      path: item.folder,
      rel: null,
      reason: `The movie folder ${item.folder} is gone or cannot be read`,
    });
    return plan;
  }
  const clash = input.siblings.find(
    (s) => s.basename.normalize('NFC').toLowerCase() === item.basename.normalize('NFC').toLowerCase(),
  );
  if (clash) {
    ops.push({
      op: 'error',
      path: null,
      rel: null,
      reason: `Another movie (item ${clash.id}) in ${item.folder} has the same file name "${item.basename}"; rename one so their artwork cannot collide`,
    });
    return plan;
  }

  const { files, errors } = input.desired ?? desiredFiles(input);
  for (const e of errors) ops.push({ op: 'error', path: null, rel: e.rel, reason: e.reason });

  const ledgerByPath = new Map(input.ledger.map((l) => [l.path, l]));
  const slotByKey = new Map(input.slots.map((s) => [slotKey(s.assetType, s.rank), s]));
  const desiredPaths = new Set(files.map((f) => f.path));
  /** Paths that will hold the desired content after the run (for twins). */
  const willHold = new Set<string>();
  /** Primary paths per slot, so recycles of that slot wait for them. */
  const slotPaths = new Map<string, string[]>();

  /** Primary path → a path of its group that already holds the image on disk. */
  const holders = new Map<string, string>();
  for (const file of files) {
    const row = ledgerByPath.get(file.path);
    if (file.role !== 'art' || (row && row.itemId !== item.id)) continue;
    if (disk.get(file.path)?.sha === file.sha) {
      const group = file.twinOf ?? file.path;
      if (!holders.has(group)) holders.set(group, file.path);
    }
  }

  /**
   * Our files no longer wanted under their name, by content: proven to hold their ledger bytes
   * (size and mtime as recorded, else hashed by observe.ts), so a wanted name with the same
   * bytes can take one over by a rename. Only those the ledger pass below would recycle.
   */
  const movable = new Map<string, LedgerEntry[]>();
  for (const row of input.ledger) {
    if (row.itemId !== item.id || row.origin !== 'published' || row.role !== 'art' || desiredPaths.has(row.path))
      continue;
    const onDisk = disk.get(row.path);
    if (onDisk?.kind !== 'file' || onDisk.sha !== row.sha256) continue;
    const slot = slotByKey.get(slotKey(row.assetType, row.rank));
    if ((slot && !slot.blob) || (automated && slot?.locked)) continue;
    movable.set(row.sha256, [...(movable.get(row.sha256) ?? []), row]);
  }
  /** Ledger ids of old files taken over by a rename: not recycled. */
  const renamed = new Set<number>();

  for (const desired of files) {
    let file = desired;
    if (file.nfo) {
      // NFOs come after the art and actors: name what is written or kept, not what is in error.
      const named = new Set(ops.flatMap((o) => (o.op === 'error' || o.op === 'recycle' ? [] : [o.path])));
      const text = renderNfo(file.nfo, (p) => named.has(p));
      if (file.source.kind !== 'text' || text !== file.source.text) {
        file = {
          ...file,
          source: { kind: 'text', text },
          sha: sha256Text(text),
          bytes: Buffer.byteLength(text, 'utf8'),
        };
      }
    }
    const facts: FileFacts = {
      path: file.path,
      rel: file.rel,
      role: file.role,
      assetType: file.assetType,
      rank: file.rank,
    };
    const onDisk = disk.get(file.path);
    const row = ledgerByPath.get(file.path);
    const lockedSkip = automated && file.locked;
    if (file.role === 'art') {
      const key = slotKey(file.assetType, file.rank);
      slotPaths.set(key, [...(slotPaths.get(key) ?? []), file.path]);
    }
    const produce = (why: WriteReason, displace: Displace | null) => {
      willHold.add(file.path);
      if (file.nfo && file.source.kind === 'text') nfos.set(file.path, { render: file.nfo, text: file.source.text });
      const old = file.role === 'art' ? movable.get(file.sha)?.shift() : undefined;
      if (old) {
        const seen = disk.get(old.path)!;
        renamed.add(old.id);
        ops.push({
          ...facts,
          op: 'rename',
          from: old.path,
          fromRel: relOf(item.folder, old.path),
          fromLedgerId: old.id,
          fromSize: seen.size,
          fromMtimeMs: seen.mtimeMs,
          source: file.source,
          sha: file.sha,
          bytes: file.bytes,
          why,
          displace,
        });
        return;
      }
      // Link from a file of the same image that already holds it (the primary, or a twin that
      // survived when Radarr removed the primary), so twins stay one file on disk.
      const from =
        file.role !== 'art'
          ? null
          : file.twinOf && willHold.has(file.twinOf)
            ? file.twinOf
            : (holders.get(file.twinOf ?? file.path) ?? null);
      if (from && from !== file.path) {
        ops.push({ ...facts, op: 'link', from, source: file.source, sha: file.sha, bytes: file.bytes, why, displace });
      } else {
        ops.push({ ...facts, op: 'write', source: file.source, sha: file.sha, bytes: file.bytes, why, displace });
      }
    };

    if (row && row.itemId !== item.id) {
      ops.push({
        op: 'error',
        path: file.path,
        rel: file.rel,
        reason: `${file.rel} belongs to another movie${row.itemId === null ? '' : ` (item ${row.itemId})`}; it was left alone`,
      });
      continue;
    }
    if (onDisk && onDisk.kind !== 'file') {
      ops.push({
        op: 'error',
        path: file.path,
        rel: file.rel,
        reason: `${onDisk.kind === 'dir' ? 'A folder' : 'Something that is not a file'} is in the way at ${file.path}; it was left alone`,
      });
      continue;
    }
    if (!onDisk) {
      produce(row && row.origin === 'published' ? 'missing' : 'new', null);
      continue;
    }
    const same = onDisk.sha === file.sha;
    if (same) {
      willHold.add(file.path);
      if (file.nfo && file.source.kind === 'text') nfos.set(file.path, { render: file.nfo, text: file.source.text });
      const refresh =
        row !== undefined &&
        (row.sha256 !== file.sha || row.bytes !== onDisk.size || row.mtime !== ledgerMtime(onDisk.mtimeMs));
      ops.push({
        ...facts,
        op: 'keep',
        sha: file.sha,
        why: 'identical',
        ledger: row ? (refresh && row.origin === 'published' ? 'refresh' : 'none') : 'adopt',
        ledgerId: row?.id ?? null,
      });
      continue;
    }
    if (row?.origin === 'published') {
      if (lockedSkip) {
        ops.push({ ...facts, op: 'keep', sha: onDisk.sha, why: 'locked', ledger: 'none', ledgerId: row.id });
        continue;
      }
      const modified = onDisk.sha !== row.sha256;
      produce(modified ? 'modified' : 'changed', {
        ledgerId: row.id,
        reason: modified ? 'modified' : 'stale',
        recycle: modified,
      });
      continue;
    }
    // The user's file: an original the scanner recorded, or one we have never seen.
    if (file.role === 'nfo') {
      if (!settings.overwriteForeignNfo) {
        ops.push({
          ...facts,
          op: 'keep',
          sha: onDisk.sha,
          why: 'foreign-nfo',
          ledger: 'none',
          ledgerId: row?.id ?? null,
        });
        warnings.push({
          path: file.path,
          reason: `${file.rel} was not written by Posterity and was kept (publish.overwriteForeignNfo is off)`,
        });
        continue;
      }
      produce('replace-foreign', { ledgerId: row?.id ?? null, reason: 'foreign-nfo', recycle: true });
      continue;
    }
    if (file.role === 'actor') {
      ops.push({
        ...facts,
        op: 'keep',
        sha: onDisk.sha,
        why: 'foreign-actor',
        ledger: 'none',
        ledgerId: row?.id ?? null,
      });
      continue;
    }
    if (lockedSkip) {
      ops.push({ ...facts, op: 'keep', sha: onDisk.sha, why: 'locked', ledger: 'none', ledgerId: row?.id ?? null });
      continue;
    }
    if (row?.origin === 'original') {
      produce('replace-original', { ledgerId: row.id, reason: 'replaced-original', recycle: true });
      continue;
    }
    if (settings.cleanupUnknownImages && layoutAllowsCleanup(item, input.siblings)) {
      produce('replace-foreign', { ledgerId: null, reason: 'unknown-image', recycle: true });
      continue;
    }
    ops.push({
      op: 'error',
      path: file.path,
      rel: file.rel,
      reason: `${file.rel} is a file Posterity did not write; it was left alone (move it away, or turn on publish.cleanupUnknownImages)`,
    });
  }

  // What the ledger holds that is no longer wanted.
  for (const row of input.ledger) {
    if (row.itemId !== item.id || desiredPaths.has(row.path) || renamed.has(row.id)) continue;
    const facts: FileFacts = {
      path: row.path,
      rel: relOf(item.folder, row.path),
      role: row.role,
      assetType: (row.assetType as AssetType | null) ?? null,
      rank: row.rank,
    };
    const key = slotKey(row.assetType, row.rank);
    const slot = slotByKey.get(key);
    const onDisk = disk.get(row.path);
    if (row.origin === 'published') {
      if (!onDisk) {
        ops.push({ ...facts, op: 'forget', ledgerId: row.id });
        continue;
      }
      if (onDisk.kind !== 'file') continue;
      // A slot not downloaded yet keeps its old files until the new image is here.
      if (slot && !slot.blob && row.role === 'art') {
        ops.push({ ...facts, op: 'keep', sha: onDisk.sha, why: 'pending', ledger: 'none', ledgerId: row.id });
        continue;
      }
      if (automated && slot?.locked) {
        ops.push({ ...facts, op: 'keep', sha: onDisk.sha, why: 'locked', ledger: 'none', ledgerId: row.id });
        continue;
      }
      ops.push({
        ...facts,
        op: 'recycle',
        ledgerId: row.id,
        // Still the chosen image, only no longer under this name: say so, not "no longer chosen".
        reason: row.role === 'art' && slot?.blob?.sha === row.sha256 ? 'old-name' : 'stale',
        after: row.role === 'art' ? (slotPaths.get(key) ?? []) : [],
      });
      continue;
    }
    // An original of a slot that now holds a different, non-original choice.
    if (row.role !== 'art' || !onDisk || onDisk.kind !== 'file') continue;
    if (!slot?.blob || slot.chosenBy === 'original' || slot.blob.sha === row.sha256) continue;
    if (automated && slot.locked) continue;
    ops.push({
      ...facts,
      op: 'recycle',
      ledgerId: row.id,
      reason: 'replaced-original',
      after: slotPaths.get(key) ?? [],
    });
  }

  if (settings.cleanupUnknownImages && layoutAllowsCleanup(item, input.siblings)) {
    for (const rel of input.folderImages) {
      const p = abs(item.folder, rel);
      if (desiredPaths.has(p) || ledgerByPath.has(p)) continue;
      const onDisk = disk.get(p);
      if (onDisk && onDisk.kind !== 'file') continue;
      ops.push({
        path: p,
        rel,
        role: 'art',
        assetType: null,
        rank: null,
        op: 'recycle',
        ledgerId: null,
        reason: 'unknown-image',
        after: [],
      });
    }
  }

  for (const slot of input.slots) {
    if (!slot.blob)
      warnings.push({
        path: null,
        reason:
          slot.chosenBy === 'original'
            ? `${slot.assetType} #${slot.rank} is your own picture, which is gone from the library and was never copied into the cache; choose another or import yours again`
            : `${slot.assetType} #${slot.rank} is chosen but not downloaded yet; its files were left as they are`,
      });
  }
  return plan;
}

/** Unknown-image clean-up only where the folder is the movie's alone. */
function layoutAllowsCleanup(item: PlanItem, siblings: readonly unknown[]): boolean {
  return namingLayout(item, siblings) !== 'shared-folder';
}

/** Absolute paths the disk observation must look at for this item. */
export function pathsToObserve(files: readonly DesiredFile[], ledger: readonly LedgerEntry[]): string[] {
  return [...new Set([...files.map((f) => f.path), ...ledger.map((l) => l.path)])];
}
