import { sql } from 'kysely';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import type { JobKind } from '../../../shared/api/jobs.ts';
import type { AssetType } from '../../../shared/asset-types.ts';
import type { Services } from '../services.ts';
import { setSlotBlob } from '../select/slots-repo.ts';
import { errorText, FinalError } from './backoff.ts';
import { afterScan, nextStep, reaches, type PipelineItem } from './pipeline.ts';
import type { JobContext, Step } from './runner.ts';

/** Tries an enrichment gets (minutes apart: the job's backoff) before it waits for the item's retry time. */
export const QUICK_ENRICH_TRIES = 3;

/** A follow-up job a step asks for. */
export interface FollowUp {
  kind: JobKind;
  itemId?: number;
  payload?: Record<string, unknown>;
  priority: number;
}

type ItemRow = PipelineItem & { id: number };

/**
 * The body of every job kind. Each is idempotent (scans, enrichment, auto-select and publishing
 * converge on the same result when repeated; a download skips slots already in the cache), and
 * each queues the next step itself, so a chain survives restarts one step at a time.
 */
export function createSteps(s: Services, follow: (job: FollowUp) => Promise<number>): Record<JobKind, Step> {
  const level = () => s.settings.get('automation.level');

  const needItem = (ctx: JobContext): number => {
    if (ctx.job.itemId === null) throw new ApiError('bad_request', `A ${ctx.job.kind} job needs an item`);
    return ctx.job.itemId;
  };
  const itemIdsOf = (ctx: JobContext): number[] | undefined => {
    const ids = ctx.job.payload.itemIds;
    return Array.isArray(ids) && ids.length > 0 ? ids.map(Number).filter(Number.isInteger) : undefined;
  };

  /**
   * A cancelled job's chain ends with it. A cancel from another process (the CLI beside a
   * daemon) reaches this one's signal only at the runner's next poll, so the row decides too.
   */
  const cancelled = async (ctx: JobContext): Promise<boolean> => {
    if (ctx.signal.aborted) return true;
    const row = await s.db.selectFrom('jobs').select('state').where('id', '=', ctx.job.id).executeTakeFirst();
    return row?.state === 'cancelled';
  };

  /** Queues what comes after a finished step for the item, when the chain goes on. */
  const chain = async (ctx: JobContext, done: JobKind, itemId: number) => {
    if (ctx.job.payload.chain !== true || (await cancelled(ctx))) return;
    const item = (await pipelineItems(s, [itemId]))[0];
    if (!item) return;
    const next = nextStep(done, level(), item);
    if (next) await follow({ kind: next, itemId, payload: { chain: true }, priority: ctx.job.priority });
  };

  const followScan = async (ctx: JobContext, items: ItemRow[], restore: boolean) => {
    if (await cancelled(ctx)) return;
    let queued = 0;
    for (const item of items) {
      const next = afterScan(level(), item, restore);
      if (!next) continue;
      const payload = next === 'publish-item' ? { reason: 'restore' } : { chain: true };
      await follow({ kind: next, itemId: item.id, payload, priority: ctx.job.priority });
      queued++;
    }
    if (queued > 0) ctx.note(`${queued} item${queued === 1 ? '' : 's'} to process`);
  };

  /** After a scan: the user's pictures found, copied into the cache before anything can wipe them. */
  const protect = async (ctx: JobContext, itemIds: readonly number[]) => {
    const r = await s.cache.protectOriginals(itemIds, { signal: ctx.signal });
    if (r.copied > 0) ctx.note(`${r.copied} of your own picture${r.copied === 1 ? '' : 's'} kept safe in the cache`);
  };

  return {
    'scan-library': async (ctx) => {
      const ids =
        ctx.job.libraryId !== null
          ? [ctx.job.libraryId]
          : (await s.db.selectFrom('libraries').select('id').execute()).map((r) => r.id);
      for (const id of ids) {
        ctx.signal.throwIfAborted();
        const r = await s.library.scanLibrary(id, { onProgress: ctx.progress, signal: ctx.signal });
        ctx.note(`${r.added} new, ${r.updated} changed, ${r.missing} missing`);
      }
      const inLibraries = await s.db
        .selectFrom('items')
        .select('id')
        .where('library_id', 'in', ids.length > 0 ? ids : [-1])
        .execute();
      await protect(
        ctx,
        inLibraries.map((r) => r.id),
      );
      // Only items that still need their first enrichment matter after a plain rescan.
      const fresh = await s.db
        .selectFrom('items')
        .select('id')
        .where('library_id', 'in', ids.length > 0 ? ids : [-1])
        .where('monitored', '=', 1)
        .where('enriched_at', 'is', null)
        .where('state', 'in', ['new', 'identified'])
        .execute();
      await followScan(
        ctx,
        await pipelineItems(
          s,
          fresh.map((r) => r.id),
        ),
        false,
      );
    },

    'scan-folder': async (ctx) => {
      const folder = ctx.job.payload.folder;
      if (typeof folder !== 'string' || folder === '')
        throw new ApiError('bad_request', 'A scan-folder job needs a folder');
      await s.library.scanFolder(folder, { signal: ctx.signal });
      const inFolder = await itemIdsInFolder(s, folder);
      await protect(ctx, inFolder);
      // With unattended publishing on, a published file deleted from the folder is put back now,
      // not at the next daily check.
      const restore =
        ctx.job.payload.restore === true || (reaches(level(), 'publish') && (await lostPublishedFiles(s, inFolder)));
      await followScan(ctx, await pipelineItems(s, inFolder), restore);
    },

    'enrich-item': async (ctx) => {
      const itemId = needItem(ctx);
      const r = await s.enrich.enrichItem(itemId, { force: ctx.job.payload.force === true, signal: ctx.signal });
      // The enrich domain has already put its retry time on the item (sooner for an outage,
      // later for an unknown movie); the scheduler comes back then. A passing failure (a
      // provider restarting) gets a few quick tries first, so a blip does not cost an hour.
      if (r.state === 'failed') {
        const reason = r.reason ?? 'Enrichment failed';
        throw r.retrySoon && ctx.job.attempts < QUICK_ENRICH_TRIES ? new Error(reason) : new FinalError(reason);
      }
      const added = r.candidates.added;
      ctx.note(
        r.state === 'needs_match'
          ? 'Needs a match'
          : `${added} new candidate${added === 1 ? '' : 's'}${r.warnings.length ? ` (${r.warnings[0]})` : ''}`,
      );
      await chain(ctx, 'enrich-item', itemId);
    },

    'autoselect-item': async (ctx) => {
      const itemId = needItem(ctx);
      const r = await s.select.autoselect([itemId], { signal: ctx.signal });
      ctx.note(`${r.changes.length} choice${r.changes.length === 1 ? '' : 's'} made, ${r.downloaded} downloaded`);
      await chain(ctx, 'autoselect-item', itemId);
    },

    download: async (ctx) => {
      const itemId = needItem(ctx);
      const missing = await s.db
        .selectFrom('slots')
        .innerJoin('candidates', 'candidates.id', 'slots.candidate_id')
        .select([
          'slots.asset_type',
          'slots.rank',
          'candidates.id as candidateId',
          'candidates.url',
          'candidates.provider',
        ])
        .where('slots.item_id', '=', itemId)
        .where('slots.blob_sha', 'is', null)
        .execute();
      const failures: string[] = [];
      let done = 0;
      for (const slot of missing) {
        ctx.signal.throwIfAborted();
        ctx.progress({ done, total: missing.length, label: slot.asset_type });
        try {
          const blob = await s.cache.ingestUrl(slot.url, {
            provider: slot.provider,
            area: 'assets',
            candidateId: slot.candidateId,
            signal: ctx.signal,
          });
          await setSlotBlob(s.db, itemId, slot.asset_type as AssetType, slot.rank, slot.candidateId, blob.sha256);
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          failures.push(`${slot.asset_type}: ${errorText(err)}`);
        }
        done++;
      }
      // The images that arrived are kept; a retry fetches only the rest.
      if (failures.length > 0) {
        throw new ApiError(
          'provider_error',
          `${failures.length} of ${missing.length} images could not be downloaded (${failures[0]})`,
        );
      }
      if (missing.length > 0) ctx.note(`${missing.length} image${missing.length === 1 ? '' : 's'} downloaded`);
      await chain(ctx, 'download', itemId);
    },

    'publish-item': async (ctx) => {
      const itemId = needItem(ctx);
      const item = (await pipelineItems(s, [itemId]))[0];
      if (!item) throw new ApiError('not_found', `Item ${itemId} is gone`);
      if (item.state === 'missing') {
        ctx.note('Skipped: the movie is missing from disk');
        return;
      }
      const r = await s.publish.publishItem(itemId, { automated: true, signal: ctx.signal });
      if (r.errors.length > 0) {
        throw new ApiError(
          'io_error',
          `${r.errors.length} file${r.errors.length === 1 ? '' : 's'} not published (${r.errors[0]!.reason})`,
        );
      }
      ctx.note(
        `${r.written + r.linked} written, ${r.unchanged} unchanged, ${r.renamed} renamed, ${r.recycled} to the recycle bin`,
      );
    },

    verify: async (ctx) => {
      const itemIds = itemIdsOf(ctx);
      const r = await s.publish.verify({
        repair: ctx.job.payload.repair !== false,
        automated: true,
        signal: ctx.signal,
        onProgress: ctx.progress,
        ...(itemIds ? { itemIds } : {}),
      });
      const found = Object.values(r.counts).reduce((a, b) => a + b, 0);
      ctx.note(
        `${r.checked} checked, ${found} finding${found === 1 ? '' : 's'}${r.repaired ? `, ${r.repaired.written} files restored` : ''}`,
      );
    },

    gc: async (ctx) => {
      const r = await s.cache.gc({ dryRun: false });
      ctx.note(`${r.recycled.length} unused image${r.recycled.length === 1 ? '' : 's'} to the recycle bin`);
    },

    rebuild: async (ctx) => {
      const itemIds = itemIdsOf(ctx);
      await s.publish.rebuild({
        dryRun: false,
        signal: ctx.signal,
        onProgress: ctx.progress,
        ...(itemIds ? { itemIds } : {}),
      });
    },
  };
}

/** Items whose folder is `folder` or lies below it (a series folder holds its seasons). */
export async function itemIdsInFolder(s: Services, folder: string, limit?: number): Promise<number[]> {
  const below = folder.endsWith(path.sep) ? folder : folder + path.sep;
  let q = s.db
    .selectFrom('items')
    .select('id')
    .where((eb) => eb.or([eb('folder', '=', folder), eb(sql`substr(folder, 1, ${below.length})`, '=', below)]));
  if (limit !== undefined) q = q.limit(limit);
  return (await q.execute()).map((r) => r.id);
}

/** The pipeline's view of some items (missing ids are left out). */
/** Whether a file published for one of these items is gone from its place. */
async function lostPublishedFiles(s: Services, itemIds: readonly number[]): Promise<boolean> {
  if (itemIds.length === 0) return false;
  const rows = await s.db
    .selectFrom('library_files')
    .select('path')
    .where('item_id', 'in', itemIds.slice(0, 500))
    .where('origin', '=', 'published')
    .execute();
  for (const r of rows) if (!(await lstat(r.path).catch(() => null))) return true;
  return false;
}

export async function pipelineItems(s: Services, ids: number[]): Promise<ItemRow[]> {
  if (ids.length === 0) return [];
  const rows: ItemRow[] = [];
  // SQLite caps bound parameters; large libraries are read in slices.
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    const found = await s.db
      .selectFrom('items')
      .select([
        'id',
        'monitored',
        'state',
        'enriched_at',
        'published_at',
        (eb) =>
          eb
            .exists(
              eb
                .selectFrom('library_files')
                .select('library_files.id')
                .whereRef('library_files.item_id', '=', 'items.id')
                .where('library_files.origin', '=', 'published'),
            )
            .as('has_published'),
      ])
      .where('id', 'in', slice)
      .execute();
    for (const r of found) {
      rows.push({
        id: r.id,
        monitored: r.monitored === 1,
        state: r.state,
        enriched: r.enriched_at !== null,
        published: r.published_at !== null || Boolean(r.has_published),
      });
    }
  }
  return rows;
}
