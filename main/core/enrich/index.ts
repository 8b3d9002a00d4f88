import type { CandidateRecord, EnrichSummary, ItemEnrichResult, MatchChoice } from '../../../shared/api/enrich.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import type { Progress } from '../../../shared/api/index.ts';
import type { AssetType } from '../../../shared/asset-types.ts';
import type { ItemRow } from '../db/schema.ts';
import { ProviderError } from '../providers/errors.ts';
import type { Services } from '../services.ts';
import { listCandidates } from './candidates-repo.ts';
import { enrichItem, newRunContext, type RunContext } from './enrich-item.ts';
import { searchChoices } from './identify.ts';

export interface EnrichOptions {
  force?: boolean;
  signal?: AbortSignal;
}

/** The enrich domain: identification, metadata merge and candidate collection. */
export interface EnrichDomain {
  /**
   * Identifies the item if needed, merges TMDB metadata (locked fields kept) and upserts every
   * provider's candidates. Never throws for provider trouble: the result says failed and why, and
   * the item carries the reason and a retry time. Throws not_found for an unknown item.
   */
  enrichItem(itemId: number, options?: EnrichOptions): Promise<ItemEnrichResult>;
  /** Many items at once, concurrently (the providers' rate limits pace it), with progress. */
  enrichItems(
    itemIds: number[],
    options?: EnrichOptions & { onProgress?: (p: Progress) => void },
  ): Promise<EnrichSummary>;
  /** Every movie that is not missing, for `enrich --all`. */
  allItemIds(): Promise<number[]>;
  /**
   * A manual match: checked against TMDB first (unknown id → not_found, nothing changed), then
   * stored and locked, candidates of a previous match marked gone (counted in `candidates.gone`),
   * the automatic unlocked choices holding them emptied (a warning says so; locked, user and
   * original choices stay), and the item enriched.
   */
  identify(itemId: number, tmdbId: number, options?: EnrichOptions): Promise<ItemEnrichResult>;
  /** TMDB search results for the "needs match" view, best fit first. */
  matchSearch(itemId: number, query?: string, year?: number, options?: EnrichOptions): Promise<MatchChoice[]>;
  listCandidates(itemId: number, type?: AssetType): Promise<CandidateRecord[]>;
}

/** Events are sent in groups so a library-wide run does not flood the doors. */
const EVENT_BATCH = 50;

export function createEnrichDomain(s: Services): EnrichDomain {
  const getItem = async (itemId: number): Promise<ItemRow> => {
    const item = await s.db.selectFrom('items').selectAll().where('id', '=', itemId).executeTakeFirst();
    if (!item) throw new ApiError('not_found', `No item with id ${itemId}`, 'itemId');
    return item;
  };

  const enrichOne = async (itemId: number, ctx: RunContext): Promise<ItemEnrichResult> =>
    enrichItem(s, await getItem(itemId), ctx);

  const requestsSoFar = () => {
    const st = s.providers.http.stats();
    return st.tmdb.requests + st.fanart.requests;
  };

  const domain: EnrichDomain = {
    async enrichItem(itemId, options = {}) {
      const result = await enrichOne(itemId, newRunContext({ ...options, now: s.clock.now() }));
      s.events.emit({ type: 'items-changed', itemIds: [itemId] });
      return result;
    },

    async enrichItems(itemIds, options = {}) {
      const started = performance.now();
      const requestsBefore = requestsSoFar();
      const ctx = newRunContext({ ...options, now: s.clock.now() });
      const ids = [...new Set(itemIds)];
      const summary: EnrichSummary = {
        enriched: 0,
        needsMatch: 0,
        failed: [],
        warnings: [],
        requests: 0,
        durationMs: 0,
      };
      let done = 0;
      let changed: number[] = [];
      const flush = () => {
        if (changed.length > 0) s.events.emit({ type: 'items-changed', itemIds: changed });
        changed = [];
      };
      options.onProgress?.({ done, total: ids.length, label: 'Enriching' });
      // Enough items in flight to keep every provider's token bucket busy; the buckets set the pace.
      const concurrency = Math.max(4, s.settings.get('tmdb.connections') + s.settings.get('fanart.connections'));
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          options.signal?.throwIfAborted();
          const itemId = ids[next++]!;
          let result: ItemEnrichResult;
          try {
            result = await enrichOne(itemId, ctx);
          } catch (err) {
            if (options.signal?.aborted) throw err;
            const reason =
              err instanceof ApiError || err instanceof ProviderError
                ? err.message
                : `Unexpected error: ${(err as Error).message}`;
            if (!(err instanceof ApiError))
              s.log.error('Enriching an item failed unexpectedly', {
                itemId,
                error: (err as Error).stack ?? String(err),
              });
            result = {
              itemId,
              state: 'failed',
              tmdbId: null,
              title: '',
              year: null,
              reason,
              warnings: [],
              candidates: { added: 0, updated: 0, gone: 0 },
            };
          }
          if (result.state === 'enriched') summary.enriched++;
          else if (result.state === 'needs_match') summary.needsMatch++;
          else summary.failed.push({ itemId, reason: result.reason ?? 'Unknown failure' });
          for (const w of result.warnings) summary.warnings.push({ itemId, reason: w });
          done++;
          changed.push(itemId);
          if (changed.length >= EVENT_BATCH) flush();
          options.onProgress?.({ done, total: ids.length, label: result.title || `item ${itemId}` });
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
      } finally {
        flush();
      }
      summary.failed.sort((a, b) => a.itemId - b.itemId);
      summary.requests = requestsSoFar() - requestsBefore;
      summary.durationMs = Math.round(performance.now() - started);
      const refused = [...ctx.refused.values()];
      if (refused.length > 0)
        s.log.warn('A provider refused the configured key during enrichment', {
          reasons: refused.map((e) => e.message),
        });
      return summary;
    },

    async allItemIds() {
      const rows = await s.db
        .selectFrom('items')
        .select('id')
        .where('kind', '=', 'movie')
        .where('state', '!=', 'missing')
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async identify(itemId, tmdbId, options = {}) {
      const item = await getItem(itemId);
      if (item.kind !== 'movie')
        throw new ApiError(
          'bad_request',
          `Item ${itemId} is a ${item.kind}; only movies can be matched so far`,
          'itemId',
        );
      try {
        await s.providers.tmdb.movie(tmdbId, { signal: options.signal });
      } catch (err) {
        if (err instanceof ProviderError && err.kind === 'not_found')
          throw new ApiError('not_found', `TMDB has no movie with id ${tmdbId}`, 'tmdbId');
        if (err instanceof ProviderError) throw new ApiError('provider_error', err.message);
        throw err;
      }
      const now = s.clock.now();
      let retired: number[] = [];
      let emptied = 0;
      await s.db.transaction().execute(async (trx) => {
        if (item.tmdb_id !== tmdbId) {
          // The old match's images belong to another movie; kept (slots may hold them) but gone.
          retired = (
            await trx
              .selectFrom('candidates')
              .select('id')
              .where('item_id', '=', itemId)
              .where('gone_at', 'is', null)
              .execute()
          ).map((r) => r.id);
          if (retired.length > 0)
            await trx.updateTable('candidates').set({ gone_at: now }).where('id', 'in', retired).execute();
          // Automation's choices among them would publish the other movie's art: emptied (the next
          // auto-select fills them). Locked or user choices and originals stay as they are.
          const cleared = await trx
            .deleteFrom('slots')
            .where('item_id', '=', itemId)
            .where('chosen_by', '=', 'auto')
            .where('locked', '=', 0)
            .where(
              'candidate_id',
              'in',
              trx.selectFrom('candidates').select('id').where('item_id', '=', itemId).where('gone_at', 'is not', null),
            )
            .executeTakeFirst();
          emptied = Number(cleared.numDeletedRows);
        }
        await trx
          .updateTable('items')
          .set({
            tmdb_id: tmdbId,
            // The IMDb id may belong to the wrong movie; details fill in the right one.
            imdb_id: item.tmdb_id === tmdbId ? item.imdb_id : null,
            match_locked: 1,
            match_choices: null,
            state: item.state === 'missing' ? 'missing' : 'identified',
            enrich_error: null,
            updated_at: now,
          })
          .where('id', '=', itemId)
          .execute();
      });
      const result = await enrichOne(itemId, newRunContext({ ...options, now }));
      if (retired.length > 0) {
        // The old match's images count as gone unless the new movie lists the same image again.
        const stillGone = await s.db
          .selectFrom('candidates')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('id', 'in', retired)
          .where('gone_at', 'is not', null)
          .executeTakeFirstOrThrow();
        result.candidates = { ...result.candidates, gone: result.candidates.gone + Number(stillGone.n) };
      }
      if (emptied > 0)
        result.warnings = [
          ...result.warnings,
          `Emptied ${emptied} automatic choice${emptied === 1 ? '' : 's'} of the previous match; ` +
            `\`posterity autoselect ${itemId}\` chooses this movie's artwork.`,
        ];
      s.events.emit({ type: 'items-changed', itemIds: [itemId] });
      return result;
    },

    async matchSearch(itemId, query, year, options = {}) {
      const item = await getItem(itemId);
      const target = { title: item.title, originalTitle: null, year: item.year };
      try {
        return await searchChoices(s.providers.tmdb, target, query ?? item.title, year ?? item.year, {
          signal: options.signal,
        });
      } catch (err) {
        if (err instanceof ProviderError) throw new ApiError('provider_error', err.message);
        throw err;
      }
    },

    async listCandidates(itemId, type) {
      await getItem(itemId);
      return listCandidates(s.db, itemId, type);
    },
  };
  return domain;
}
