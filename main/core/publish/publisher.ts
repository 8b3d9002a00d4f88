import { lstat } from 'node:fs/promises';
import type { Progress } from '../../../shared/api/index.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import type {
  FindingKind,
  PublishIssue,
  PublishSummary,
  VerifyFinding,
  VerifyItemReport,
  VerifyResult,
} from '../../../shared/api/publish.ts';
import type { PublishMode } from '../../../shared/settings.ts';
import type { Services } from '../services.ts';
import { describePlan, executeItemPlan, RECYCLE_TEXT, type ItemOutcome } from './execute.ts';
import type { FsWorkers } from './fs-workers.ts';
import { LedgerBatch } from './ledger.ts';
import { loadItems, resolveActorPictures, type LoadedItem } from './load.ts';
import { observeFolder, type Scrutiny } from './observe.ts';
import { desiredFiles, pathsToObserve, planItem, type ItemPlan, type PlanActor } from './plan.ts';
import { notifyPlayers, type PlayerTarget } from './players.ts';

/*
 * The publish run: load a batch of items, then per item (several at once) resolve actor
 * pictures, work out the desired files, look at the disk, plan, and execute. Publish, rebuild
 * and verify --repair are all this run with different scrutiny and scope.
 */

export interface RunOptions {
  mode?: PublishMode | undefined;
  dryRun?: boolean | undefined;
  /** Nobody asked for this run right now (auto-select, webhook, schedule): locked slots only get missing files back. */
  automated?: boolean | undefined;
  scrutiny?: Scrutiny | undefined;
  /** Ask Kodi/Jellyfin/Plex to refresh changed items afterwards (default true, never in dry runs). */
  notify?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: Progress) => void) | undefined;
}

/** What a publish run needs beyond the services: the domain's own workers. */
export interface PublishRuntime {
  workers: FsWorkers;
}

/** Items prepared and planned together; bounded so memory stays flat on big libraries. */
const LOAD_BATCH = 200;
/** Items in flight at once: enough to keep the disk and the thread pool busy. */
const PARALLEL_ITEMS = 8;

export interface PreparedItem {
  loaded: LoadedItem;
  plan: ItemPlan;
  altSources: Map<string, string[]>;
  temps: string[];
  actorFailures: { name: string; reason: string }[];
  /** Actor pictures left out because they are not downloaded yet (a dry run downloads nothing). */
  actorsNotDownloaded: number;
}

/** Plans one loaded item: actor pictures, desired files, a look at the disk, the plan. */
export async function prepareItem(
  s: Services,
  loaded: LoadedItem,
  options: { automated: boolean; scrutiny: Scrutiny; downloadActors: boolean; signal?: AbortSignal | undefined },
): Promise<PreparedItem> {
  let actors: PlanActor[] = [];
  let actorFailures: { name: string; reason: string }[] = [];
  let actorsNotDownloaded = 0;
  if (
    loaded.settings.actorImages &&
    loaded.castWithPictures.length > 0 &&
    loaded.item.layout !== 'shared-folder' &&
    loaded.siblings.length === 0
  ) {
    ({
      actors,
      failures: actorFailures,
      notDownloaded: actorsNotDownloaded,
    } = await resolveActorPictures(s, loaded.castWithPictures, {
      download: options.downloadActors,
      signal: options.signal,
    }));
  }
  const base = {
    item: loaded.item,
    slots: loaded.slots,
    fields: loaded.fields,
    actors,
    siblings: loaded.siblings,
    settings: loaded.settings,
  };
  const desired = desiredFiles(base);
  const ledgerByPath = new Map(loaded.ledger.map((l) => [l.path, l]));
  const acceptSizes = new Map<string, Set<number>>();
  const accept = (p: string, size: number) => {
    const set = acceptSizes.get(p);
    if (set) set.add(size);
    else acceptSizes.set(p, new Set([size]));
  };
  // Folder mates' rows are only consulted for our own desired paths; never look at their files.
  const own = loaded.ledger.filter((l) => l.itemId === loaded.item.id);
  for (const f of desired.files) accept(f.path, f.bytes);
  for (const l of own) accept(l.path, l.bytes);
  const seen = await observeFolder(
    loaded.item.folder,
    pathsToObserve(desired.files, own),
    ledgerByPath,
    acceptSizes,
    options.scrutiny,
  );
  const plan = planItem({
    ...base,
    ledger: loaded.ledger,
    disk: seen.disk,
    folderExists: seen.folderExists,
    folderImages: seen.folderImages,
    automated: options.automated,
    desired,
  });
  // Originals still on disk unchanged can stand in for a blob the cache lost.
  const altSources = new Map<string, string[]>();
  for (const l of loaded.ledger) {
    if (l.itemId !== loaded.item.id || seen.disk.get(l.path)?.sha !== l.sha256) continue;
    altSources.set(l.sha256, [...(altSources.get(l.sha256) ?? []), l.path]);
  }
  return { loaded, plan, altSources, temps: seen.temps, actorFailures, actorsNotDownloaded };
}

function emptySummary(mode: PublishMode, dryRun: boolean): PublishSummary {
  return {
    dryRun,
    mode,
    items: 0,
    written: 0,
    linked: 0,
    unchanged: 0,
    renamed: 0,
    recycled: 0,
    skipped: 0,
    bytes: 0,
    errors: [],
    warnings: [],
    notes: [],
    players: [],
    plan: dryRun ? [] : null,
  };
}

function add(summary: PublishSummary, o: ItemOutcome): void {
  summary.written += o.written;
  summary.linked += o.linked;
  summary.unchanged += o.unchanged;
  summary.renamed += o.renamed;
  summary.recycled += o.recycled;
  summary.skipped += o.skipped;
  summary.bytes += o.bytes;
  summary.errors.push(...o.errors);
  summary.warnings.push(...o.warnings);
}

/** Runs `fn` over `list` with at most `limit` in flight, in order of start. */
async function eachLimited<T>(list: readonly T[], limit: number, fn: (value: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) await fn(list[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
}

/**
 * Why nothing may be written for an item whose video is not where the last scan saw it: a movie
 * deleted or moved, or a disk not mounted, where writing would fill the empty mount point (and
 * shadow the real disk when it comes back). Null when the video is there.
 */
async function videoProblem(loaded: LoadedItem, consequence: string): Promise<string | null> {
  const video = loaded.row.video_path;
  if (!video || (await lstat(video).catch(() => null))) return null;
  // A folder gone with its video is the planner's to report, in its own words.
  if (!(await lstat(loaded.item.folder).catch(() => null))) return null;
  return `The video of ${loaded.item.title} is not at ${video} (moved, deleted, or its disk is not mounted); ${consequence}. Scan the library, then try again.`;
}

/** Chosen images the cache lost (see PlanSlot.lostSha), as what the user should do about each. */
function lostChoices(loaded: LoadedItem): string[] {
  return loaded.slots
    .filter((sl) => sl.lostSha)
    .map(
      (sl) =>
        `The chosen ${sl.assetType}${sl.rank > 0 ? ` #${sl.rank}` : ''} of ${loaded.item.title} (${sl.lostSha!.slice(0, 12)}) is no longer in the cache, so it cannot be published; \`posterity cache verify --repair\` fetches it again, or choose another.`,
    );
}

/** Per-item serialisation: two runs never write the same movie folder at once. */
const itemLocks = new WeakMap<Services, Map<number, Promise<unknown>>>();

async function withItemLock<T>(s: Services, itemId: number, fn: () => Promise<T>): Promise<T> {
  let locks = itemLocks.get(s);
  if (!locks) itemLocks.set(s, (locks = new Map()));
  const before = locks.get(itemId) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(itemId, tail);
  try {
    return await run;
  } finally {
    if (locks.get(itemId) === tail) locks.delete(itemId);
  }
}

/**
 * Publishes items: each ends up with exactly its chosen art, actor pictures and NFO under Kodi
 * names, writing only what differs. Per-item problems land in `errors`; the run itself only
 * fails when cancelled.
 */
export async function runPublish(
  s: Services,
  rt: PublishRuntime,
  itemIds: readonly number[],
  options: RunOptions = {},
): Promise<PublishSummary> {
  const dryRun = options.dryRun ?? false;
  const automated = options.automated ?? false;
  const scrutiny = options.scrutiny ?? 'stat';
  const summary = emptySummary(options.mode ?? s.settings.get('publish.mode'), dryRun);
  const notes = new Set<string>();
  let actorsToDownload = 0;
  const changed: PlayerTarget[] = [];
  const changedIds: number[] = [];
  const total = itemIds.length;
  let done = 0;
  const log = s.log.child('publish');
  const ledger = new LedgerBatch(s.db, () => s.clock.now());

  try {
    for (let i = 0; i < itemIds.length; i += LOAD_BATCH) {
      options.signal?.throwIfAborted();
      const batch = itemIds.slice(i, i + LOAD_BATCH);
      // The user's own pictures that stay chosen are published from the cache too: a copy there
      // first, so the next wipe of the library can be rebuilt with them.
      if (!dryRun) await s.cache.protectOriginals(batch, { signal: options.signal });
      const { items, missing, refused } = await loadItems(s, batch, { modeOverride: options.mode });
      for (const id of missing) summary.errors.push({ itemId: id, reason: `No item ${id}` });
      for (const r of refused) summary.errors.push({ itemId: r.id, reason: r.reason });
      done += missing.length + refused.length;

      await eachLimited(items, PARALLEL_ITEMS, async (loaded) => {
        options.signal?.throwIfAborted();
        const id = loaded.item.id;
        const gone = await videoProblem(loaded, 'nothing was written for it');
        if (gone) {
          summary.errors.push({ itemId: id, reason: gone });
          options.onProgress?.({ done: ++done, total, label: loaded.item.title });
          return;
        }
        try {
          await withItemLock(s, id, async () => {
            const prepared = await prepareItem(s, loaded, {
              automated,
              scrutiny,
              downloadActors: !dryRun,
              signal: options.signal,
            });
            for (const reason of lostChoices(loaded)) summary.warnings.push({ itemId: id, reason });
            for (const f of prepared.actorFailures) {
              summary.warnings.push({
                itemId: id,
                reason: `Actor picture of ${f.name} could not be downloaded: ${f.reason}`,
              });
            }
            if (dryRun) {
              summary.plan!.push(...describePlan(prepared.plan));
              actorsToDownload += prepared.actorsNotDownloaded;
            }
            const outcome = await executeItemPlan(s, prepared.plan, loaded.item.folder, {
              mode: loaded.mode,
              dryRun,
              automated,
              altSources: prepared.altSources,
              temps: prepared.temps,
              notes,
              workers: rt.workers,
              ledger,
              signal: options.signal,
            });
            add(summary, outcome);
            summary.items++;
            if (outcome.changed) {
              changedIds.push(id);
              changed.push({ itemId: id, folder: loaded.item.folder, videoPath: loaded.row.video_path });
            }
          });
        } catch (err) {
          if ((err as Error).name === 'AbortError' || (err instanceof ApiError && err.code === 'cancelled')) throw err;
          log.error('Publishing an item failed unexpectedly', {
            itemId: id,
            error: (err as Error).stack ?? String(err),
          });
          summary.errors.push({ itemId: id, reason: (err as Error).message });
        }
        done++;
        options.onProgress?.({ done, total, label: loaded.item.title });
      });
    }
  } finally {
    await ledger.flush();
  }
  if (actorsToDownload > 0) {
    notes.add(
      `${actorsToDownload} actor picture${actorsToDownload === 1 ? ' is' : 's are'} not downloaded yet and not in this plan: a real publish downloads ${actorsToDownload === 1 ? 'it' : 'them'} and writes ${actorsToDownload === 1 ? 'it' : 'them'} into .actors/`,
    );
  }
  summary.notes = [...notes];

  if (changedIds.length > 0) s.events.emit({ type: 'items-changed', itemIds: changedIds.sort((a, b) => a - b) });
  if (!dryRun && options.notify !== false && changed.length > 0) {
    summary.players = await notifyPlayers(
      s.providers.http,
      {
        kodi: s.settings.get('players.kodi'),
        jellyfin: s.settings.get('players.jellyfin'),
        plex: s.settings.get('players.plex'),
      },
      changed.sort((a, b) => a.itemId - b.itemId),
      log,
      options.signal,
    );
    for (const p of summary.players) {
      if (!p.ok) summary.warnings.push({ itemId: null, reason: `${p.player} was not refreshed: ${p.detail}` });
    }
  }
  return summary;
}

/** Items that have been published before: what rebuild and verify look at by default. */
export async function publishedItemIds(s: Services): Promise<number[]> {
  const rows = await s.db
    .selectFrom('items')
    .select('id')
    .where('kind', '=', 'movie')
    .where((eb) =>
      eb.or([
        eb('published_at', 'is not', null),
        eb.exists(
          eb
            .selectFrom('library_files')
            .select('library_files.id')
            .whereRef('library_files.item_id', '=', 'items.id')
            .where('library_files.origin', '=', 'published'),
        ),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Every movie that is still there, for `publish --all`. */
export async function allMovieIds(s: Services): Promise<number[]> {
  const rows = await s.db
    .selectFrom('items')
    .select('id')
    .where('kind', '=', 'movie')
    .where('state', '!=', 'missing')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A plan's operations as verify findings: what differs between the library and the choice. */
export function findingsOf(plan: ItemPlan): VerifyFinding[] {
  const out: VerifyFinding[] = [];
  const push = (kind: FindingKind, p: string | null, detail: string) => {
    if (p) out.push({ kind, path: p, detail });
  };
  for (const op of plan.ops) {
    switch (op.op) {
      case 'rename':
        // The same findings as before renames existed: the new name lacks the image, the old holds it.
        push('stale', op.from, RECYCLE_TEXT['old-name']);
      // falls through
      case 'write':
      case 'link':
        if (op.why === 'new' || op.why === 'missing')
          push('missing', op.path, op.why === 'missing' ? 'published before, gone now' : 'never published');
        else if (op.why === 'modified') push('modified', op.path, 'changed on disk since Posterity wrote it');
        else if (op.why === 'changed') push('stale', op.path, 'holds an earlier choice');
        else if (op.why === 'replace-original')
          push('stale', op.path, 'an original awaiting replacement by the new choice');
        else
          push(
            'foreign',
            op.path,
            op.displace?.reason === 'foreign-nfo' ? 'an NFO Posterity did not write' : 'a file Posterity did not write',
          );
        break;
      case 'keep':
        if (op.why === 'foreign-nfo')
          push('foreign', op.path, 'an NFO Posterity did not write (kept: publish.overwriteForeignNfo is off)');
        else if (op.why === 'locked')
          push('modified', op.path, 'differs from the choice; left alone because the slot is locked');
        break;
      case 'recycle':
        push(op.reason === 'unknown-image' ? 'foreign' : 'stale', op.path, RECYCLE_TEXT[op.reason]);
        break;
      case 'error':
        if (op.path && /in the way|did not write|belongs to another/.test(op.reason))
          push('foreign', op.path, op.reason);
        break;
      case 'forget':
        break;
    }
  }
  return out;
}

/**
 * Compares each item's folder with what should be there; with `repair`, applies the plan of the
 * items that differ (exactly what publish would do).
 */
export async function runVerify(
  s: Services,
  rt: PublishRuntime,
  itemIds: readonly number[],
  options: { repair: boolean; automated?: boolean; signal?: AbortSignal; onProgress?: (p: Progress) => void },
): Promise<VerifyResult> {
  const counts: Record<FindingKind, number> = { missing: 0, modified: 0, foreign: 0, stale: 0 };
  const reports: VerifyItemReport[] = [];
  const errors: PublishIssue[] = [];
  const toRepair: number[] = [];
  /** Items with a problem that is not a difference (folder unreadable, video gone): not clean either. */
  const troubled = new Set<number>();
  let checked = 0;
  const automated = options.automated ?? false;
  for (let i = 0; i < itemIds.length; i += LOAD_BATCH) {
    options.signal?.throwIfAborted();
    const { items, missing, refused } = await loadItems(s, itemIds.slice(i, i + LOAD_BATCH));
    for (const id of missing) errors.push({ itemId: id, reason: `No item ${id}` });
    for (const r of refused) errors.push({ itemId: r.id, reason: r.reason });
    await eachLimited(items, PARALLEL_ITEMS, async (loaded) => {
      options.signal?.throwIfAborted();
      const gone = await videoProblem(loaded, 'it was not checked');
      if (gone) {
        checked++;
        troubled.add(loaded.item.id);
        errors.push({ itemId: loaded.item.id, reason: gone });
        options.onProgress?.({ done: checked, total: itemIds.length, label: loaded.item.title });
        return;
      }
      const prepared = await prepareItem(s, loaded, {
        automated,
        scrutiny: 'stat',
        downloadActors: false,
        signal: options.signal,
      });
      checked++;
      for (const reason of lostChoices(loaded)) {
        errors.push({ itemId: loaded.item.id, reason });
        troubled.add(loaded.item.id);
      }
      const findings = findingsOf(prepared.plan);
      for (const op of prepared.plan.ops) {
        if (op.op === 'error' && !findings.some((f) => f.path === op.path)) {
          errors.push({ itemId: loaded.item.id, ...(op.path ? { path: op.path } : {}), reason: op.reason });
          troubled.add(loaded.item.id);
        }
      }
      if (findings.length > 0) {
        for (const f of findings) counts[f.kind]++;
        reports.push({ itemId: loaded.item.id, title: loaded.item.title, findings });
        toRepair.push(loaded.item.id);
      }
      options.onProgress?.({ done: checked, total: itemIds.length, label: loaded.item.title });
    });
  }
  reports.sort((a, b) => a.itemId - b.itemId);
  let repaired: PublishSummary | null = null;
  if (options.repair) {
    repaired = await runPublish(
      s,
      rt,
      toRepair.sort((a, b) => a - b),
      {
        automated,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
  }
  for (const r of reports) troubled.add(r.itemId);
  return { checked, clean: checked - troubled.size, items: reports, counts, errors, repaired };
}
