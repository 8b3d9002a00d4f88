import { ApiError } from '../../../shared/api/errors.ts';
import { ASSET_TYPES, ASSET_TYPE_SPECS, isAssetType, type AssetType } from '../../../shared/asset-types.ts';
import type { DbOrTx } from '../db/database.ts';
import type { CandidateRow, ItemRow } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { evaluateType, type EvalCandidate, type TypeEvaluation } from './evaluate.ts';
import { loadOriginals, type Original } from './originals.ts';
import type { ScoreContext } from './score.ts';

/** The item or a not_found error a user can read. */
export async function requireItem(db: DbOrTx, itemId: number): Promise<ItemRow> {
  const item = await db.selectFrom('items').selectAll().where('id', '=', itemId).executeTakeFirst();
  if (!item) throw new ApiError('not_found', `There is no item ${itemId}`, 'itemId');
  return item;
}

export function scoreContext(s: Services): ScoreContext {
  return { languages: s.settings.get('languages'), providerPreference: s.settings.get('providers.preference') };
}

/** The look-alike threshold of a type: the user's setting, else the type's default. */
export function thresholdFor(s: Services, type: AssetType): number {
  return s.settings.get('select.lookAlikeThresholds')[type] ?? ASSET_TYPE_SPECS[type].lookAlikeThreshold;
}

export function toEvalCandidate(row: CandidateRow): EvalCandidate | null {
  if (!isAssetType(row.asset_type)) return null;
  return {
    id: row.id,
    assetType: row.asset_type,
    provider: row.provider,
    providerImageId: row.provider_image_id,
    width: row.width,
    height: row.height,
    language: row.language,
    voteAverage: row.vote_average,
    voteCount: row.vote_count,
    likes: row.likes,
    phash: row.phash,
    blocked: row.blocked === 1,
    gone: row.gone_at !== null,
  };
}

/** One item's candidates and originals, scored and grouped per type. */
export interface ItemEvaluation {
  item: ItemRow;
  rows: Map<number, CandidateRow>;
  originals: Original[];
  types: Map<AssetType, TypeEvaluation>;
}

export async function evaluateItem(
  s: Services,
  itemId: number,
  options: { computeOriginals: boolean; types?: readonly AssetType[] },
): Promise<ItemEvaluation> {
  const item = await requireItem(s.db, itemId);
  const [rows, originals] = await Promise.all([
    s.db.selectFrom('candidates').selectAll().where('item_id', '=', itemId).orderBy('id').execute(),
    loadOriginals(s, itemId, { compute: options.computeOriginals }),
  ]);
  const context = scoreContext(s);
  const byType = new Map<AssetType, EvalCandidate[]>();
  for (const row of rows) {
    const c = toEvalCandidate(row);
    if (!c) continue;
    const list = byType.get(c.assetType) ?? [];
    list.push(c);
    byType.set(c.assetType, list);
  }
  const types = new Map<AssetType, TypeEvaluation>();
  for (const type of options.types ?? ASSET_TYPES) {
    types.set(type, evaluateType(type, byType.get(type) ?? [], originals, context, thresholdFor(s, type)));
  }
  return { item, rows: new Map(rows.map((r) => [r.id, r])), originals, types };
}

/**
 * Stores each candidate's score, breakdown and cluster, writing only rows that changed so a
 * rescore with nothing new costs reads only.
 */
export async function storeEvaluation(s: Services, evaluation: ItemEvaluation): Promise<number> {
  const updates: { id: number; score: number; breakdown: string; cluster: number | null }[] = [];
  for (const t of evaluation.types.values()) {
    for (const c of t.scored.values()) {
      const row = evaluation.rows.get(c.id);
      const breakdown = JSON.stringify(c.result.breakdown);
      const cluster = t.clusterOf.get(c.id) ?? null;
      if (row && row.score === c.result.score && row.score_breakdown === breakdown && row.cluster_id === cluster) continue;
      updates.push({ id: c.id, score: c.result.score, breakdown, cluster });
    }
  }
  if (updates.length === 0) return 0;
  await s.db.transaction().execute(async (trx) => {
    for (const u of updates) {
      await trx
        .updateTable('candidates')
        .set({ score: u.score, score_breakdown: u.breakdown, cluster_id: u.cluster })
        .where('id', '=', u.id)
        .execute();
    }
  });
  return updates.length;
}
