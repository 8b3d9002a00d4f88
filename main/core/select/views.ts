import type {
  ArtworkTypeView,
  CandidateView,
  ClusterView,
  ItemArtwork,
  Slot,
  SlotView,
} from '../../../shared/api/artwork.ts';
import { ASSET_TYPE_SPECS } from '../../../shared/asset-types.ts';
import { countFor } from '../../../shared/settings.ts';
import type { DbOrTx } from '../db/database.ts';
import type { Services } from '../services.ts';
import type { ScoredCandidate } from './evaluate.ts';
import { thresholdFor, type ItemEvaluation } from './item-eval.ts';
import { getSlots } from './slots-repo.ts';

/** Slots with what the picker shows beside them: size, provider, whether the image is here. */
export async function slotViews(db: DbOrTx, slots: readonly Slot[]): Promise<SlotView[]> {
  if (slots.length === 0) return [];
  const shas = [...new Set(slots.map((s) => s.blobSha).filter((x): x is string => x !== null))];
  const candidateIds = slots.map((s) => s.candidateId).filter((x): x is number => x !== null);
  const fileIds = slots.map((s) => s.libraryFileId).filter((x): x is number => x !== null);
  const [blobs, candidates, files] = await Promise.all([
    shas.length
      ? db.selectFrom('blobs').select(['sha256', 'width', 'height', 'state']).where('sha256', 'in', shas).execute()
      : [],
    candidateIds.length
      ? db.selectFrom('candidates').select(['id', 'provider', 'width', 'height']).where('id', 'in', candidateIds).execute()
      : [],
    fileIds.length
      ? db.selectFrom('library_files').select(['id', 'path', 'width', 'height']).where('id', 'in', fileIds).execute()
      : [],
  ]);
  const blobOf = new Map(blobs.map((b) => [b.sha256, b]));
  const candidateOf = new Map(candidates.map((c) => [c.id, c]));
  const fileOf = new Map(files.map((f) => [f.id, f]));
  return slots.map((slot) => {
    const blob = slot.blobSha ? blobOf.get(slot.blobSha) : undefined;
    const candidate = slot.candidateId !== null ? candidateOf.get(slot.candidateId) : undefined;
    const file = slot.libraryFileId !== null ? fileOf.get(slot.libraryFileId) : undefined;
    const original = slot.chosenBy === 'original';
    return {
      ...slot,
      width: blob?.width ?? candidate?.width ?? file?.width ?? null,
      height: blob?.height ?? candidate?.height ?? file?.height ?? null,
      provider: candidate?.provider ?? (original ? 'original' : null),
      downloaded: (blob !== undefined && blob.state === 'available') || (original && file !== undefined),
      path: file?.path ?? null,
    };
  });
}

function candidateView(c: ScoredCandidate, evaluation: ItemEvaluation, slots: readonly Slot[]): CandidateView {
  const row = evaluation.rows.get(c.id)!;
  return {
    id: c.id,
    type: c.assetType,
    provider: c.provider,
    providerImageId: c.providerImageId,
    url: row.url,
    previewUrl: row.preview_url,
    previewSha: row.preview_sha,
    width: c.width,
    height: c.height,
    language: c.language,
    score: c.result.score,
    breakdown: c.result.breakdown,
    belowMinimum: c.result.belowMinimum,
    blocked: c.blocked,
    gone: c.gone,
    hashError: row.hash_error,
    blobSha: row.blob_sha,
    downloadError: row.download_error,
    selectedRanks: slots.filter((s) => s.candidateId === c.id).map((s) => s.rank),
  };
}

/** The picker's view of an item: per type, the slots and the candidates as clusters, best first. */
export async function itemArtworkView(s: Services, evaluation: ItemEvaluation): Promise<ItemArtwork> {
  const itemId = evaluation.item.id;
  const allSlots = await getSlots(s.db, itemId);
  const allViews = await slotViews(s.db, allSlots);
  const counts = s.settings.get('autoselect.counts');
  const types: ArtworkTypeView[] = [];
  for (const [type, t] of evaluation.types) {
    const slots = allSlots.filter((x) => x.type === type);
    const clusters: ClusterView[] = [];
    for (const cluster of t.clusters) {
      // A picture the provider stopped listing is only worth showing while it is chosen.
      const members = cluster.members.filter((m) => !m.gone || slots.some((x) => x.candidateId === m.id));
      if (members.length === 0) continue;
      const views = members.map((m) => candidateView(m, evaluation, slots));
      const originals = cluster.originals.map((o) => ({
        libraryFileId: o.libraryFileId,
        path: evaluation.originals.find((x) => x.libraryFileId === o.libraryFileId)?.path ?? '',
      }));
      clusters.push({
        id: cluster.id,
        best: views[0]!,
        alsoOn: views.slice(1),
        matchesOriginal: originals.length > 0,
        originals,
        selectedRanks: views.flatMap((v) => v.selectedRanks).sort((a, b) => a - b),
      });
    }
    types.push({
      type,
      label: ASSET_TYPE_SPECS[type].label,
      count: countFor(type, counts),
      lookAlikeThreshold: thresholdFor(s, type),
      slots: allViews.filter((x) => x.type === type),
      clusters,
      originals: evaluation.originals
        .filter((o) => o.assetType === type)
        .map(({ libraryFileId, path, rank, width, height, hashed }) => ({ libraryFileId, path, rank, width, height, hashed })),
    });
  }
  let previewsPending = 0;
  for (const row of evaluation.rows.values()) {
    if (row.phash === null && row.hash_error === null && row.gone_at === null) previewsPending++;
  }
  return { itemId, title: evaluation.item.title, monitored: evaluation.item.monitored === 1, previewsPending, types };
}

