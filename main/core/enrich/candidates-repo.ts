import { sql } from 'kysely';
import type { CandidateRecord } from '../../../shared/api/enrich.ts';
import { isAssetType, type AssetType } from '../../../shared/asset-types.ts';
import type { ScoreLine } from '../../../shared/scoring.ts';
import { fromJson, toJson, type DbOrTx } from '../db/database.ts';
import type { CandidateRow } from '../db/schema.ts';
import type { ProviderCandidate } from '../providers/provider.ts';

export interface UpsertCounts {
  added: number;
  updated: number;
  gone: number;
}

const identity = (type: string, imageId: string) => `${type}\u0000${imageId}`;
/** Rows per INSERT (16 values each, well under SQLite's variable limit). */
const UPSERT_CHUNK = 200;

/**
 * Stores one provider's candidates for an item (call inside the item's transaction).
 * Idempotent: a known image is updated in place (numbers, URLs, `seen_at`, back from gone), a new
 * one added. When the provider's answer was whole, images it no longer lists get `gone_at`; rows
 * are never deleted (slots, downloads and blocks may point at them).
 */
export async function upsertCandidates(
  db: DbOrTx,
  itemId: number,
  provider: string,
  candidates: readonly ProviderCandidate[],
  options: { complete: boolean; now: number },
): Promise<UpsertCounts> {
  const { now } = options;
  const existing = await db
    .selectFrom('candidates')
    .select(['id', 'asset_type', 'provider_image_id', 'gone_at'])
    .where('item_id', '=', itemId)
    .where('provider', '=', provider)
    .execute();
  const known = new Map(existing.map((r) => [identity(r.asset_type, r.provider_image_id), r]));
  const seen = new Set<string>();
  const counts: UpsertCounts = { added: 0, updated: 0, gone: 0 };
  const rows = [];
  for (const c of candidates) {
    const key = identity(c.assetType, c.providerImageId);
    if (seen.has(key)) continue; // a provider listing one image twice
    seen.add(key);
    if (known.has(key)) counts.updated++;
    else counts.added++;
    rows.push({
      item_id: itemId,
      asset_type: c.assetType,
      provider,
      provider_image_id: c.providerImageId,
      created_at: now,
      url: c.url,
      preview_url: c.previewUrl,
      width: c.width,
      height: c.height,
      language: c.language,
      vote_average: c.voteAverage,
      vote_count: c.voteCount,
      likes: c.likes,
      extra: toJson(c.extra),
      seen_at: now,
      gone_at: null,
    });
  }
  // One statement per chunk: known rows keep their id, scores, hashes and blocks; only what the
  // provider says is refreshed.
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await db
      .insertInto('candidates')
      .values(rows.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['item_id', 'asset_type', 'provider', 'provider_image_id']).doUpdateSet((eb) => ({
          url: eb.ref('excluded.url'),
          preview_url: eb.ref('excluded.preview_url'),
          width: eb.ref('excluded.width'),
          height: eb.ref('excluded.height'),
          language: eb.ref('excluded.language'),
          vote_average: eb.ref('excluded.vote_average'),
          vote_count: eb.ref('excluded.vote_count'),
          likes: eb.ref('excluded.likes'),
          extra: eb.ref('excluded.extra'),
          seen_at: eb.ref('excluded.seen_at'),
          gone_at: null,
        })),
      )
      .execute();
  }
  if (options.complete) {
    const vanished = existing
      .filter((r) => r.gone_at === null && !seen.has(identity(r.asset_type, r.provider_image_id)))
      .map((r) => r.id);
    for (let i = 0; i < vanished.length; i += 500) {
      const ids = vanished.slice(i, i + 500);
      await db.updateTable('candidates').set({ gone_at: now }).where('id', 'in', ids).execute();
    }
    counts.gone = vanished.length;
  }
  return counts;
}

/** An item's candidates as stored, best score first (unscored last), then by type. */
export async function listCandidates(db: DbOrTx, itemId: number, type?: AssetType): Promise<CandidateRecord[]> {
  let q = db.selectFrom('candidates').selectAll().where('item_id', '=', itemId);
  if (type) q = q.where('asset_type', '=', type);
  const rows = await q
    .orderBy('asset_type')
    .orderBy(sql`score is null`)
    .orderBy('score', 'desc')
    .orderBy('id')
    .execute();
  return rows.filter((r) => isAssetType(r.asset_type)).map(toCandidateRecord);
}

export function toCandidateRecord(row: CandidateRow): CandidateRecord {
  return {
    id: row.id,
    type: row.asset_type as AssetType,
    provider: row.provider,
    providerImageId: row.provider_image_id,
    url: row.url,
    previewUrl: row.preview_url,
    width: row.width,
    height: row.height,
    language: row.language,
    voteAverage: row.vote_average,
    voteCount: row.vote_count,
    likes: row.likes,
    score: row.score,
    scoreBreakdown: breakdownOf(row.score_breakdown),
    phash: row.phash,
    clusterId: row.cluster_id,
    blocked: row.blocked === 1,
    blobSha: row.blob_sha,
    previewSha: row.preview_sha,
    gone: row.gone_at !== null,
  };
}

/** The scorer stores either the lines or the whole result; both read as lines. */
function breakdownOf(text: string | null): ScoreLine[] | null {
  const value = fromJson<unknown>(text, null);
  if (Array.isArray(value)) return value as ScoreLine[];
  if (value && typeof value === 'object' && Array.isArray((value as { breakdown?: unknown }).breakdown)) {
    return (value as { breakdown: ScoreLine[] }).breakdown;
  }
  return null;
}
