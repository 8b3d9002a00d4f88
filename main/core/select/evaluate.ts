import type { AssetType } from '../../../shared/asset-types.ts';
import type { ScoreResult } from '../../../shared/scoring.ts';
import { groupLookAlikes } from './cluster.ts';
import { scoreCandidate, type ScoreContext, type ScoreInput } from './score.ts';

/** A candidate as evaluation sees it (mapped from its row). */
export interface EvalCandidate extends ScoreInput {
  id: number;
  providerImageId: string;
  phash: string | null;
  blocked: boolean;
  /** The provider no longer lists it (kept while a slot or the cache still needs it). */
  gone: boolean;
}

/** One of the user's own files for the item (origin 'original'), hashed when possible. */
export interface EvalOriginal {
  libraryFileId: number;
  assetType: AssetType;
  rank: number | null;
  phash: string | null;
}

export interface ScoredCandidate extends EvalCandidate {
  result: ScoreResult;
}

/** Look-alike candidates of one type shown as one entry. */
export interface CandidateCluster {
  /** Id of the member with the best score (blocked or not): stable while the members are. */
  id: number;
  /** Best first: available members by score, then gone ones, then blocked ones. */
  members: ScoredCandidate[];
  /** The user's own files this picture matches. */
  originals: EvalOriginal[];
}

export interface TypeEvaluation {
  type: AssetType;
  /** Clusters with an unblocked member first, each group by its lead's score. */
  clusters: CandidateCluster[];
  /** Cluster id of every candidate. */
  clusterOf: Map<number, number>;
  scored: Map<number, ScoredCandidate>;
}

const area = (c: ScoreInput): number => (c.width ?? 0) * (c.height ?? 0);

/**
 * The one order of candidates everywhere (picker, auto-select): score, then size, then stable
 * keys, so equal scores never flip between runs.
 */
export function compareCandidates(a: ScoredCandidate, b: ScoredCandidate): number {
  return (
    b.result.score - a.result.score ||
    area(b) - area(a) ||
    a.provider.localeCompare(b.provider) ||
    a.providerImageId.localeCompare(b.providerImageId) ||
    a.id - b.id
  );
}

/** Whether auto-select may choose it: not blocked, still listed, not below the type's minimum. */
export function isEligible(c: ScoredCandidate): boolean {
  return !c.blocked && !c.gone && !c.result.belowMinimum;
}

const leadOrder = (a: ScoredCandidate, b: ScoredCandidate): number =>
  Number(a.blocked) - Number(b.blocked) || Number(a.gone) - Number(b.gone) || compareCandidates(a, b);

/**
 * Scores the candidates of one type and groups look-alikes (with the user's originals of that
 * type) into clusters. Pure and cheap: a hundred candidates take well under a millisecond or two.
 */
export function evaluateType(
  type: AssetType,
  candidates: readonly EvalCandidate[],
  originals: readonly EvalOriginal[],
  context: ScoreContext,
  threshold: number,
): TypeEvaluation {
  const scored = candidates.map((c) => ({ ...c, result: scoreCandidate(c, context) }));
  const ownFiles = originals.filter((o) => o.assetType === type);
  const roots = groupLookAlikes([...scored.map((c) => c.phash), ...ownFiles.map((o) => o.phash)], threshold);
  const groups = new Map<number, { members: ScoredCandidate[]; originals: EvalOriginal[] }>();
  const groupAt = (root: number) => {
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { members: [], originals: [] }));
    return g;
  };
  scored.forEach((c, i) => groupAt(roots[i]!).members.push(c));
  ownFiles.forEach((o, i) => groupAt(roots[scored.length + i]!).originals.push(o));

  const clusters: CandidateCluster[] = [];
  const clusterOf = new Map<number, number>();
  for (const g of groups.values()) {
    if (g.members.length === 0) continue;
    const best = [...g.members].sort(compareCandidates)[0]!;
    g.members.sort(leadOrder);
    for (const m of g.members) clusterOf.set(m.id, best.id);
    clusters.push({ id: best.id, members: g.members, originals: g.originals });
  }
  clusters.sort((a, b) => leadOrder(a.members[0]!, b.members[0]!));
  return { type, clusters, clusterOf, scored: new Map(scored.map((c) => [c.id, c])) };
}
