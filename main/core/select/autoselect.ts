import type { AutoselectChange, AutoselectResult, Slot } from '../../../shared/api/artwork.ts';
import type { CallOptions } from '../../../shared/api/index.ts';
import { countFor } from '../../../shared/settings.ts';
import type { Services } from '../services.ts';
import type { CachePort } from './cache-port.ts';
import { availableBlob, downloadForSlot } from './download.ts';
import { forEachLimit } from './limit.ts';
import { planType, type SlotState } from './policy.ts';
import { clearSlot, getSlots, setSlot } from './slots-repo.ts';
import type { ItemEvaluation } from './item-eval.ts';

/** Full images downloaded at once for one item. */
const DOWNLOAD_CONCURRENCY = 4;

const toState = (slot: Slot): SlotState => ({
  rank: slot.rank,
  candidateId: slot.candidateId,
  libraryFileId: slot.libraryFileId,
  chosenBy: slot.chosenBy,
  locked: slot.locked,
});

export interface AutoselectDeps {
  cache: CachePort;
  /** Fetches previews, rescores and regroups the item; returns the fresh evaluation. */
  rescore(itemId: number, signal?: AbortSignal): Promise<{ evaluation: ItemEvaluation; fetched: number; failed: number }>;
}

/**
 * Auto-select over items: unmonitored items are skipped entirely (monitoring off is a global
 * lock on downloadable content); for the others every type is planned by `planType` against
 * the slots as they are inside the write transaction, so a lock set meanwhile still wins. Then
 * every chosen image not yet in the cache is downloaded.
 */
export async function autoselectItems(
  s: Services,
  deps: AutoselectDeps,
  itemIds: readonly number[],
  options: CallOptions = {},
): Promise<AutoselectResult> {
  const result: AutoselectResult = {
    items: 0,
    unmonitored: [],
    changes: [],
    downloaded: 0,
    failed: [],
    previews: { fetched: 0, failed: 0 },
  };
  const ids = [...new Set(itemIds)].sort((a, b) => a - b);
  const changedItems: number[] = [];
  for (const [index, itemId] of ids.entries()) {
    options.signal?.throwIfAborted();
    const item = await s.db.selectFrom('items').select(['id', 'title', 'monitored']).where('id', '=', itemId).executeTakeFirst();
    options.onProgress?.({ done: index, total: ids.length, label: item?.title ?? `item ${itemId}` });
    if (!item) continue;
    if (!item.monitored) {
      result.unmonitored.push(itemId);
      continue;
    }
    result.items++;
    const { evaluation, fetched, failed } = await deps.rescore(itemId, options.signal);
    result.previews.fetched += fetched;
    result.previews.failed += failed;
    const changes = await applyPlan(s, evaluation);
    result.changes.push(...changes);
    const downloads = await downloadPending(s, deps.cache, itemId, options.signal);
    result.downloaded += downloads.downloaded;
    result.failed.push(...downloads.failed);
    if (changes.length > 0 || downloads.downloaded > 0) changedItems.push(itemId);
  }
  options.onProgress?.({ done: ids.length, total: ids.length });
  if (changedItems.length > 0) s.events.emit({ type: 'items-changed', itemIds: changedItems });
  return result;
}

async function applyPlan(s: Services, evaluation: ItemEvaluation): Promise<AutoselectChange[]> {
  const itemId = evaluation.item.id;
  const counts = s.settings.get('autoselect.counts');
  const replaceOriginals = s.settings.get('autoselect.replaceOriginals');
  const now = s.clock.now();
  const changes: AutoselectChange[] = [];
  await s.db.transaction().execute(async (trx) => {
    const slots = await getSlots(trx, itemId);
    for (const [type, t] of evaluation.types) {
      const mine = slots.filter((x) => x.type === type);
      const plan = planType(t, mine.map(toState), { count: countFor(type, counts), replaceOriginals });
      for (const change of plan) {
        const before = mine.find((x) => x.rank === change.rank);
        if (change.candidateId === null) {
          await clearSlot(trx, itemId, type, change.rank);
        } else {
          const row = evaluation.rows.get(change.candidateId)!;
          await setSlot(
            trx,
            {
              itemId,
              type,
              rank: change.rank,
              candidateId: change.candidateId,
              blobSha: await availableBlob(trx, row),
              chosenBy: 'auto',
              locked: false,
            },
            now,
          );
        }
        changes.push({ itemId, type, rank: change.rank, from: before?.candidateId ?? null, to: change.candidateId });
      }
    }
  });
  return changes;
}

/** Downloads every chosen provider image of the item that is not in the cache yet. */
async function downloadPending(
  s: Services,
  cache: CachePort,
  itemId: number,
  signal?: AbortSignal,
): Promise<Pick<AutoselectResult, 'downloaded' | 'failed'>> {
  const pending = (await getSlots(s.db, itemId)).filter((x) => x.blobSha === null && x.candidateId !== null);
  const out: Pick<AutoselectResult, 'downloaded' | 'failed'> = { downloaded: 0, failed: [] };
  if (pending.length === 0) return out;
  const rows = await s.db
    .selectFrom('candidates')
    .selectAll()
    .where('id', 'in', pending.map((x) => x.candidateId!))
    .execute();
  const rowOf = new Map(rows.map((r) => [r.id, r]));
  await forEachLimit(
    pending,
    DOWNLOAD_CONCURRENCY,
    async (slot) => {
      const row = rowOf.get(slot.candidateId!);
      if (!row) return;
      const outcome = await downloadForSlot(s, cache, row, slot, signal);
      if (outcome.error === null) out.downloaded += outcome.fetched ? 1 : 0;
      else out.failed.push({ itemId, type: slot.type, rank: slot.rank, candidateId: row.id, error: outcome.error });
    },
    signal,
  );
  return out;
}
