import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { isAssetType } from '../../../shared/asset-types.ts';
import { isFieldName, type CastMember, type ItemFields } from '../../../shared/fields.ts';
import { extensionOf, extForFormat, type MovieLayout } from '../../../shared/naming.ts';
import type { NamingStyle, PublishMode } from '../../../shared/settings.ts';
import type { DbOrTx } from '../db/database.ts';
import type { ItemRow } from '../db/schema.ts';
import { decodeNfo, NFO_MAX_BYTES } from '../library/nfo-reader.ts';
import type { Services } from '../services.ts';
import type { ExistingNfo } from './nfo-writer.ts';
import {
  MAX_ACTOR_IMAGES,
  nfoPaths,
  wantsNfo,
  type LedgerEntry,
  type PlanActor,
  type PlanBlob,
  type PlanItem,
  type PlanSlot,
  type PublishSettings,
} from './plan.ts';

/*
 * Reads everything the planner needs for a batch of items in a handful of queries (items,
 * libraries, slots with their blobs, fields, the ledger of the items and of their folder mates),
 * so a no-change publish of a large library is bounded by the disk checks, not by the database.
 */

/** One item ready to plan. */
export interface LoadedItem {
  row: ItemRow;
  item: PlanItem;
  slots: PlanSlot[];
  fields: ItemFields;
  ledger: LedgerEntry[];
  siblings: { id: number; basename: string }[];
  settings: PublishSettings;
  mode: PublishMode;
  /** Cast members with a picture URL, billing order, at most MAX_ACTOR_IMAGES. */
  castWithPictures: CastMember[];
}

/** SQLite host parameters per statement stay well under its limit. */
const CHUNK = 400;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export function toLayout(value: string): MovieLayout {
  return value === 'shared-folder' || value === 'disc' ? value : 'own-folder';
}

/**
 * A blob as the planner sees it. Its file is the executor's to find: the cache proves it whole
 * before anything is published from it (`s.cache.intactBlob`).
 */
export function toPlanBlob(row: {
  sha256: string;
  ext: string;
  bytes: number;
  width: number | null;
  height: number | null;
}): PlanBlob | null {
  const ext = extForFormat(row.ext);
  if (!ext) return null;
  return { sha: row.sha256, ext, bytes: row.bytes, width: row.width, height: row.height };
}

const NAMING_STYLE_VALUES = new Set<string>(['both', 'basename', 'folder']);
const MODE_VALUES = new Set<string>(['copy', 'hardlink', 'reflink']);

/** Loads items by id, in the given order; ids that are not movies are returned in `refused`. */
export async function loadItems(
  s: Services,
  ids: readonly number[],
  options: { modeOverride?: PublishMode | undefined } = {},
): Promise<{ items: LoadedItem[]; missing: number[]; refused: { id: number; reason: string }[] }> {
  const db = s.db;
  const items: LoadedItem[] = [];
  const missing: number[] = [];
  const refused: { id: number; reason: string }[] = [];
  const libraries = new Map(
    (await db.selectFrom('libraries').select(['id', 'naming_style', 'publish_mode']).execute()).map((l) => [l.id, l]),
  );
  const base = {
    style: s.settings.get('naming.style'),
    movieNfo: s.settings.get('naming.movieNfo'),
    extrafanartFolder: s.settings.get('naming.extrafanartFolder'),
    overwriteForeignNfo: s.settings.get('publish.overwriteForeignNfo'),
    cleanupUnknownImages: s.settings.get('publish.cleanupUnknownImages'),
    actorImages: s.settings.get('publish.actorImages'),
  };
  const globalMode = s.settings.get('publish.mode');

  for (const chunk of chunks(ids)) {
    const rows = await db.selectFrom('items').selectAll().where('id', 'in', chunk).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const movies = chunk.flatMap((id) => {
      const row = byId.get(id);
      if (!row) missing.push(id);
      else if (row.kind !== 'movie')
        refused.push({ id, reason: `Item ${id} is a ${row.kind}; only movies are published so far` });
      else return [row];
      return [];
    });
    if (movies.length === 0) continue;
    const movieIds = movies.map((m) => m.id);
    const folders = [...new Set(movies.map((m) => m.folder))];

    const [slotRows, fieldRows, siblingRows] = await Promise.all([
      db
        .selectFrom('slots')
        .leftJoin('blobs', (j) => j.onRef('blobs.sha256', '=', 'slots.blob_sha').on('blobs.state', '=', 'available'))
        .select([
          'slots.item_id',
          'slots.asset_type',
          'slots.rank',
          'slots.blob_sha',
          'slots.chosen_by',
          'slots.locked',
          'blobs.sha256',
          'blobs.ext',
          'blobs.bytes',
          'blobs.width',
          'blobs.height',
          'blobs.area',
        ])
        .where('slots.item_id', 'in', movieIds)
        .execute(),
      db.selectFrom('item_fields').select(['item_id', 'field', 'value']).where('item_id', 'in', movieIds).execute(),
      db
        .selectFrom('items')
        .select(['id', 'folder', 'basename'])
        .where('folder', 'in', folders)
        .where('kind', '=', 'movie')
        .execute(),
    ]);
    const ledgerOwners = [...new Set([...movieIds, ...siblingRows.map((r) => r.id)])];
    const ledgerRows = (
      await Promise.all(
        chunks(ledgerOwners).map((owners) =>
          db
            .selectFrom('library_files')
            .select([
              'id',
              'item_id',
              'path',
              'role',
              'asset_type',
              'rank',
              'origin',
              'sha256',
              'bytes',
              'mtime',
              'width',
              'height',
            ])
            .where('item_id', 'in', owners)
            .execute(),
        ),
      )
    ).flat();

    const slotsBy = groupBy(slotRows, (r) => r.item_id);
    const fieldsBy = groupBy(fieldRows, (r) => r.item_id);
    const siblingsBy = groupBy(siblingRows, (r) => r.folder);
    const ledgerBy = groupBy(ledgerRows, (r) => r.item_id ?? -1);

    for (const row of movies) {
      const library = libraries.get(row.library_id);
      const style = (
        library?.naming_style && NAMING_STYLE_VALUES.has(library.naming_style) ? library.naming_style : base.style
      ) as NamingStyle;
      const mode =
        options.modeOverride ??
        ((library?.publish_mode && MODE_VALUES.has(library.publish_mode)
          ? library.publish_mode
          : globalMode) as PublishMode);
      const fields = parseFields(fieldsBy.get(row.id) ?? []);
      const siblings = (siblingsBy.get(row.folder) ?? [])
        .filter((r) => r.id !== row.id)
        .map((r) => ({ id: r.id, basename: r.basename }));
      const ledger: LedgerEntry[] = (ledgerBy.get(row.id) ?? []).map(toLedgerEntry);
      // Folder mates' rows matter only where they could name one of our files: names that start
      // with our basename, or that are not in their own basename form (folder-form names,
      // .actors/, extrafanart/). Keeping just those keeps a folder of 500 loose movies linear.
      const mine = row.basename.normalize('NFC').toLowerCase();
      for (const sibling of siblings) {
        const theirs = `${sibling.basename.normalize('NFC').toLowerCase()}`;
        for (const l of ledgerBy.get(sibling.id) ?? []) {
          const name = path.relative(row.folder, l.path).normalize('NFC').toLowerCase();
          if (name.startsWith(mine) || !name.startsWith(theirs)) ledger.push(toLedgerEntry(l));
        }
      }
      const slots: PlanSlot[] = [];
      for (const r of slotsBy.get(row.id) ?? []) {
        if (!isAssetType(r.asset_type)) continue;
        let blob =
          r.blob_sha && r.sha256 && r.ext && r.bytes !== null
            ? toPlanBlob({ sha256: r.sha256, ext: r.ext, bytes: r.bytes, width: r.width, height: r.height })
            : null;
        // An original the scanner did not copy into the cache is published from the file itself.
        if (!blob && r.blob_sha) {
          const original = ledgerRowsOf(ledgerBy, row.id).find(
            (l) => l.origin === 'original' && l.sha256 === r.blob_sha,
          );
          if (original)
            blob = toPlanBlob({
              sha256: original.sha256,
              ext: extensionOf(original.path),
              bytes: original.bytes,
              width: original.width,
              height: original.height,
            });
        }
        // A slot whose image is not available counts as "not downloaded": its files stay.
        slots.push({
          assetType: r.asset_type,
          rank: r.rank,
          chosenBy: r.chosen_by,
          locked: r.locked === 1,
          blob,
          ...(!blob && r.blob_sha ? { lostSha: r.blob_sha } : {}),
        });
      }
      const cast = Array.isArray(fields.cast) ? fields.cast : [];
      items.push({
        row,
        item: {
          id: row.id,
          title: row.title,
          year: row.year,
          tmdbId: row.tmdb_id,
          imdbId: row.imdb_id,
          folder: row.folder,
          basename: row.basename,
          layout: toLayout(row.layout),
        },
        slots,
        fields,
        ledger,
        siblings,
        settings: { ...base, style },
        mode,
        castWithPictures: [...cast]
          .filter((c) => c && typeof c.profileUrl === 'string' && c.profileUrl !== '')
          .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
          .slice(0, MAX_ACTOR_IMAGES),
      });
    }
  }
  await readExistingNfos(items);
  return { items, missing, refused };
}

/** NFO reads in flight at once: enough to hide disk latency without flooding the thread pool. */
const NFO_READS = 8;

/**
 * Reads the NFO files already at each item's NFO paths into `item.nfoOnDisk`, so the planner can
 * carry over what the new NFO would drop. Only for items that get an NFO, and only files the
 * scanner would read too (NFO_MAX_BYTES): anything else is replaced exactly as before.
 */
async function readExistingNfos(items: readonly LoadedItem[]): Promise<void> {
  const jobs = items.filter((l) => wantsNfo(l.item, l.fields));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const loaded = jobs[next++]!;
      const found = new Map<string, ExistingNfo>();
      for (const { path: file } of nfoPaths(loaded.item, loaded.siblings, loaded.settings)) {
        const text = await readSmallFile(file);
        if (text !== null) found.set(file, { text, ours: writtenByUs(loaded, file) });
      }
      if (found.size > 0) loaded.item.nfoOnDisk = found;
    }
  };
  await Promise.all(Array.from({ length: Math.min(NFO_READS, jobs.length) }, worker));
}

/** Ours when this item's ledger says it published the file, as the planner decides ownership. */
function writtenByUs(loaded: LoadedItem, file: string): boolean {
  return loaded.ledger.some((l) => l.path === file && l.itemId === loaded.item.id && l.origin === 'published');
}

/** A regular file's text when it is small enough to be an NFO; null when absent or unreadable. */
async function readSmallFile(file: string): Promise<string | null> {
  // lstat first: opening a FIFO would block, and a link is refused by the planner anyway.
  const seen = await lstat(file).catch(() => null);
  if (!seen?.isFile() || seen.size === 0 || seen.size > NFO_MAX_BYTES) return null;
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size === 0 || info.size > NFO_MAX_BYTES) return null;
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return decodeNfo(bytes.subarray(0, bytesRead));
  } catch {
    return null;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Same parsing as fields-repo getFields, for many items at once. */
function parseFields(rows: readonly { field: string; value: string }[]): ItemFields {
  const fields: Record<string, unknown> = {};
  for (const row of rows) {
    if (!isFieldName(row.field)) continue;
    try {
      fields[row.field] = JSON.parse(row.value);
    } catch {
      // A damaged value is left out of the NFO rather than failing the publish.
    }
  }
  return fields as ItemFields;
}

function toLedgerEntry(l: {
  id: number;
  item_id: number | null;
  path: string;
  role: LedgerEntry['role'];
  asset_type: string | null;
  rank: number | null;
  origin: LedgerEntry['origin'];
  sha256: string;
  bytes: number;
  mtime: number;
}): LedgerEntry {
  return {
    id: l.id,
    itemId: l.item_id,
    path: l.path,
    role: l.role,
    assetType: l.asset_type,
    rank: l.rank,
    origin: l.origin,
    sha256: l.sha256,
    bytes: l.bytes,
    mtime: l.mtime,
  };
}

function ledgerRowsOf<T>(ledgerBy: Map<number, T[]>, itemId: number): T[] {
  return ledgerBy.get(itemId) ?? [];
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/**
 * Actor pictures already in the cache, by their source URL; missing ones are downloaded when
 * `download` is set. Failures are returned, never thrown: an actor picture is never worth
 * failing a publish for.
 */
export async function resolveActorPictures(
  s: Services,
  cast: readonly CastMember[],
  options: { download: boolean; signal?: AbortSignal | undefined },
): Promise<{ actors: PlanActor[]; failures: { name: string; reason: string }[]; notDownloaded: number }> {
  const urls = [...new Set(cast.map((c) => c.profileUrl!).filter(Boolean))];
  if (urls.length === 0) return { actors: [], failures: [], notDownloaded: 0 };
  const known = await blobsBySource(s.db, urls);
  const failures: { name: string; reason: string }[] = [];
  if (options.download) {
    const failed = new Set(
      (
        await s.db
          .selectFrom('downloads')
          .select('url')
          .where('url', 'in', urls)
          .where('area', '=', 'assets')
          .where('state', '=', 'failed')
          .execute()
      ).map((r) => r.url),
    );
    const wanted = urls.filter((u) => !known.has(u) && !failed.has(u));
    let next = 0;
    const worker = async () => {
      while (next < wanted.length) {
        const url = wanted[next++]!;
        options.signal?.throwIfAborted();
        try {
          const blob = await s.cache.ingestUrl(url, { provider: 'tmdb', area: 'assets', signal: options.signal });
          const plan = toPlanBlob(blob);
          if (plan) known.set(url, plan);
        } catch (err) {
          if ((err as Error).name === 'AbortError') throw err;
          const who = cast.find((c) => c.profileUrl === url)?.name ?? url;
          failures.push({ name: who, reason: (err as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, wanted.length) }, worker));
  }
  const actors: PlanActor[] = [];
  let notDownloaded = 0;
  for (const member of cast) {
    const blob = known.get(member.profileUrl!);
    if (blob) actors.push({ name: member.name, blob });
    else if (!options.download) notDownloaded++;
  }
  return { actors, failures, notDownloaded };
}

async function blobsBySource(db: DbOrTx, urls: readonly string[]): Promise<Map<string, PlanBlob>> {
  const rows = await db
    .selectFrom('blob_sources')
    .innerJoin('blobs', 'blobs.sha256', 'blob_sources.sha256')
    .select([
      'blob_sources.source',
      'blobs.sha256',
      'blobs.ext',
      'blobs.bytes',
      'blobs.width',
      'blobs.height',
      'blobs.area',
    ])
    .where('blob_sources.source', 'in', [...urls])
    .where('blobs.state', '=', 'available')
    .where('blobs.area', '=', 'assets')
    .execute();
  const map = new Map<string, PlanBlob>();
  for (const r of rows) {
    const blob = toPlanBlob(r);
    if (blob) map.set(r.source, blob);
  }
  return map;
}
