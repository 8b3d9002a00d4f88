import { ApiError } from '../../../shared/api/errors.ts';
import type { BlockResult, LockResult, SelectResult } from '../../../shared/api/artwork.ts';
import { ASSET_TYPE_SPECS, type AssetType } from '../../../shared/asset-types.ts';
import type { CandidateRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import type { CachePort } from './cache-port.ts';
import { availableBlob, downloadForSlot } from './download.ts';
import { requireItem } from './item-eval.ts';
import { clearSlot, getSlot, getSlots, setSlot, setSlotLock } from './slots-repo.ts';
import { slotViews } from './views.ts';

async function requireCandidate(s: Services, candidateId: number): Promise<CandidateRow> {
  const row = await s.db.selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirst();
  if (!row) throw new ApiError('not_found', `There is no candidate ${candidateId}`, 'candidateId');
  return row;
}

function assertRank(type: AssetType, rank: number): void {
  const max = ASSET_TYPE_SPECS[type].maxCount;
  if (rank >= max) throw new ApiError('bad_request', `A ${type} rank must be below ${max}`, 'rank');
}

/**
 * The user chooses a candidate for a slot: the slot is written and locked (chosen_by 'user'),
 * then the full image is brought into the cache. Works for unmonitored items too: monitoring
 * only stops automation. If the download fails the choice stands (blob pending) and the
 * failure is reported.
 */
export async function selectCandidate(
  s: Services,
  cache: CachePort,
  params: { itemId: number; type: AssetType; candidateId: number; rank?: number | undefined },
  signal?: AbortSignal,
): Promise<SelectResult> {
  const rank = params.rank ?? 0;
  assertRank(params.type, rank);
  await requireItem(s.db, params.itemId);
  const candidate = await requireCandidate(s, params.candidateId);
  if (candidate.item_id !== params.itemId) {
    throw new ApiError(
      'bad_request',
      `Candidate ${candidate.id} belongs to item ${candidate.item_id}, not to item ${params.itemId}`,
      'candidateId',
    );
  }
  if (candidate.asset_type !== params.type) {
    throw new ApiError(
      'bad_request',
      `Candidate ${candidate.id} is a ${candidate.asset_type}, not a ${params.type}`,
      'candidateId',
    );
  }
  if (candidate.blocked) {
    throw new ApiError(
      'conflict',
      `Candidate ${candidate.id} is blocked; unblock it before choosing it`,
      'candidateId',
    );
  }
  if (candidate.gone_at !== null) {
    throw new ApiError(
      'conflict',
      `Candidate ${candidate.id} is gone: it belongs to the previous match of item ${params.itemId}, or the provider ` +
        `no longer offers it for this movie; choose a current candidate (\`posterity artwork ${params.itemId}\`)`,
      'candidateId',
    );
  }
  const blobSha = await availableBlob(s.db, candidate);
  const now = s.clock.now();
  await s.db.transaction().execute(async (trx) => {
    // The same image twice is never wanted. A locked choice at another rank is the user's (or
    // kept on purpose): refused rather than silently emptied. An unlocked one moves here, and
    // auto-select fills the rank it leaves.
    const elsewhere = (await getSlots(trx, params.itemId, params.type)).filter(
      (x) => x.candidateId === candidate.id && x.rank !== rank,
    );
    const locked = elsewhere.find((x) => x.locked);
    if (locked) {
      const whose = locked.chosenBy === 'user' ? 'your' : 'the locked';
      throw new ApiError(
        'conflict',
        `Candidate ${candidate.id} is already ${whose} ${params.type} #${locked.rank}; choose another candidate ` +
          `for #${rank}, or unlock #${locked.rank} first`,
        'candidateId',
      );
    }
    for (const x of elsewhere) await clearSlot(trx, params.itemId, params.type, x.rank);
    await setSlot(
      trx,
      {
        itemId: params.itemId,
        type: params.type,
        rank,
        candidateId: candidate.id,
        blobSha,
        chosenBy: 'user',
        locked: true,
      },
      now,
    );
  });
  let outcome: { error: string | null } = { error: null };
  if (!blobSha)
    outcome = await downloadForSlot(s, cache, candidate, { itemId: params.itemId, type: params.type, rank }, signal);
  s.events.emit({ type: 'items-changed', itemIds: [params.itemId] });
  const slot = await getSlot(s.db, params.itemId, params.type, rank);
  const [view] = await slotViews(s.db, slot ? [slot] : []);
  if (!view) throw new ApiError('conflict', 'The slot changed while the image was downloading; look again');
  return { slot: view, downloaded: view.downloaded, downloadError: outcome.error };
}

/** Locks or unlocks one rank, or every chosen rank of the type. */
export async function setLock(
  s: Services,
  params: { itemId: number; type: AssetType; rank?: number | undefined },
  locked: boolean,
): Promise<LockResult> {
  await requireItem(s.db, params.itemId);
  if (params.rank !== undefined) assertRank(params.type, params.rank);
  const existing = await getSlots(s.db, params.itemId, params.type);
  const targets = params.rank === undefined ? existing : existing.filter((x) => x.rank === params.rank);
  if (targets.length === 0) {
    const what = params.rank === undefined ? params.type : `${params.type} rank ${params.rank}`;
    throw new ApiError(
      'conflict',
      `Nothing is chosen for ${what} of item ${params.itemId}; choose an image first (a lock keeps a choice)`,
      'type',
    );
  }
  const changed = await setSlotLock(s.db, params.itemId, params.type, params.rank, locked, s.clock.now());
  if (changed > 0) s.events.emit({ type: 'items-changed', itemIds: [params.itemId] });
  return {
    itemId: params.itemId,
    type: params.type,
    changed,
    slots: await slotViews(s.db, await getSlots(s.db, params.itemId, params.type)),
  };
}

/**
 * Blocks or unblocks a candidate. Blocking empties the automatic choices that hold it (the next
 * auto-select fills them with something else); a locked slot holding it is the user's explicit
 * choice, so blocking it is refused until that slot is unlocked or changed.
 */
export async function setBlocked(s: Services, candidateId: number, blocked: boolean): Promise<BlockResult> {
  const candidate = await requireCandidate(s, candidateId);
  const cleared: { type: AssetType; rank: number }[] = [];
  await s.db.transaction().execute(async (trx) => {
    if (blocked) {
      const holding = (await getSlots(trx, candidate.item_id)).filter((x) => x.candidateId === candidateId);
      const locked = holding.find((x) => x.locked);
      if (locked) {
        throw new ApiError(
          'conflict',
          `Candidate ${candidateId} is the locked ${locked.type} of item ${candidate.item_id}; unlock it or choose another first`,
          'candidateId',
        );
      }
      for (const x of holding) {
        await clearSlot(trx, x.itemId, x.type, x.rank);
        cleared.push({ type: x.type, rank: x.rank });
      }
    }
    await trx
      .updateTable('candidates')
      .set({ blocked: blocked ? 1 : 0 })
      .where('id', '=', candidateId)
      .execute();
  });
  if (cleared.length > 0 || Boolean(candidate.blocked) !== blocked) {
    s.events.emit({ type: 'items-changed', itemIds: [candidate.item_id] });
  }
  return { candidateId, itemId: candidate.item_id, blocked, clearedSlots: cleared };
}
