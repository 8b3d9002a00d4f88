import type {
  AutoselectResult,
  BlockResult,
  FieldResult,
  ItemArtwork,
  LockResult,
  RescoreResult,
  SelectResult,
} from '../../../shared/api/artwork.ts';
import type { CallOptions } from '../../../shared/api/index.ts';
import type { AssetType } from '../../../shared/asset-types.ts';
import type { Services } from '../services.ts';
import { autoselectItems } from './autoselect.ts';
import { cachePort } from './cache-port.ts';
import { selectCandidate, setBlocked, setLock } from './choose.ts';
import { setField, setFieldLock } from './fields.ts';
import { evaluateItem, requireItem, storeEvaluation, type ItemEvaluation } from './item-eval.ts';
import { fetchPreviews } from './previews.ts';
import { itemArtworkView } from './views.ts';

export interface ScoreItemOptions {
  /**
   * Fetch missing previews (and their perceptual hashes) first. Defaults to the item's
   * monitored state: automation downloads nothing for unmonitored items; a user asking
   * explicitly passes true.
   */
  fetchPreviews?: boolean;
  /** Try again previews that failed before. */
  retryFailed?: boolean;
  signal?: AbortSignal;
}

/** The select domain: scoring, look-alike grouping, the slots and every lock. */
export interface SelectDomain {
  /**
   * Scores an item's candidates and groups look-alikes (with the user's originals), storing
   * score, breakdown and cluster on each candidate. Call after candidates change.
   */
  scoreItem(itemId: number, options?: ScoreItemOptions): Promise<RescoreResult>;
  /** The picker's view of an item (computed fresh; writes nothing). */
  itemArtwork(itemId: number, type?: AssetType): Promise<ItemArtwork>;
  /** A user's choice: writes and locks the slot, downloads the image. */
  select(
    params: { itemId: number; type: AssetType; candidateId: number; rank?: number | undefined },
    options?: { signal?: AbortSignal },
  ): Promise<SelectResult>;
  setLock(params: { itemId: number; type: AssetType; rank?: number | undefined }, locked: boolean): Promise<LockResult>;
  setBlocked(candidateId: number, blocked: boolean): Promise<BlockResult>;
  /**
   * Chooses artwork for the given items. Unmonitored items are skipped; locked slots, blocked
   * candidates, look-alikes, minimums, counts and the originals policy are respected.
   * Deterministic and idempotent.
   */
  autoselect(itemIds: readonly number[], options?: CallOptions): Promise<AutoselectResult>;
  /** A user's metadata edit (locks the field). */
  setField(itemId: number, field: string, value: unknown): Promise<FieldResult>;
  setFieldLock(itemId: number, field: string, locked: boolean): Promise<FieldResult>;
  close?(): Promise<void>;
}

export function createSelectDomain(s: Services): SelectDomain {
  const cache = cachePort(s);

  const rescore = async (itemId: number, options: ScoreItemOptions = {}) => {
    const item = await requireItem(s.db, itemId);
    const wantPreviews = options.fetchPreviews ?? item.monitored === 1;
    const previews = wantPreviews
      ? await fetchPreviews(s, cache, itemId, {
          ...(options.retryFailed ? { retryFailed: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : { fetched: 0, failed: 0 };
    const evaluation: ItemEvaluation = await evaluateItem(s, itemId, { computeOriginals: true });
    await storeEvaluation(s, evaluation);
    return { evaluation, previews };
  };

  return {
    async scoreItem(itemId, options) {
      const { evaluation, previews } = await rescore(itemId, options);
      let candidates = 0;
      let clusters = 0;
      for (const t of evaluation.types.values()) {
        candidates += t.scored.size;
        clusters += t.clusters.length;
      }
      return { itemId, candidates, clusters, previews };
    },
    async itemArtwork(itemId, type) {
      const evaluation = await evaluateItem(s, itemId, { computeOriginals: true, ...(type ? { types: [type] } : {}) });
      return itemArtworkView(s, evaluation);
    },
    select: (params, options) => selectCandidate(s, cache, params, options?.signal),
    setLock: (params, locked) => setLock(s, params, locked),
    setBlocked: (candidateId, blocked) => setBlocked(s, candidateId, blocked),
    autoselect: (itemIds, options) =>
      autoselectItems(
        s,
        {
          cache,
          rescore: async (itemId, signal) => {
            const { evaluation, previews } = await rescore(itemId, { fetchPreviews: true, ...(signal ? { signal } : {}) });
            return { evaluation, ...previews };
          },
        },
        itemIds,
        options,
      ),
    setField: (itemId, field, value) => setField(s, itemId, field, value),
    setFieldLock: (itemId, field, locked) => setFieldLock(s, itemId, field, locked),
  };
}
