import { isEligible, type ScoredCandidate, type TypeEvaluation } from './evaluate.ts';

/** What auto-select needs to know about one existing slot. */
export interface SlotState {
  rank: number;
  candidateId: number | null;
  libraryFileId: number | null;
  chosenBy: 'auto' | 'user' | 'original';
  locked: boolean;
}

/** One change auto-select makes to a type's slots: fill a rank, or empty it. */
export interface SlotChange {
  rank: number;
  /** The candidate to put in the rank; null empties it. */
  candidateId: number | null;
}

export interface PlanOptions {
  /** How many ranks of the type to keep filled (`autoselect.counts`). */
  count: number;
  /** Whether the user's own files may be replaced (`autoselect.replaceOriginals`). */
  replaceOriginals: boolean;
}

/**
 * Auto-select for one type of one item, as a pure plan over the current slots.
 *
 * Guarantees: a locked slot is never touched; an original is kept unless the policy allows
 * replacing it, and is never emptied; a blocked, gone or undersized candidate is never chosen;
 * no two chosen images belong to one look-alike cluster, nor to the cluster of a kept slot (so
 * a provider copy of the user's own picture is not added beside it).
 *
 * The plan depends only on the candidates and the slots it must keep, and a rank already
 * holding a member of the wanted cluster keeps it, so running it again on its own result plans
 * nothing: auto-select is idempotent.
 */
export function planType(evaluation: TypeEvaluation, slots: readonly SlotState[], options: PlanOptions): SlotChange[] {
  const kept = (s: SlotState) => s.locked || (s.chosenBy === 'original' && !options.replaceOriginals);
  const keptSlots = slots.filter(kept);
  const keptRanks = new Set(keptSlots.map((s) => s.rank));
  const keptFiles = new Set(keptSlots.map((s) => s.libraryFileId).filter((id): id is number => id !== null));
  const taken = new Set<number>();
  for (const s of keptSlots) {
    const cluster = s.candidateId === null ? undefined : evaluation.clusterOf.get(s.candidateId);
    if (cluster !== undefined) taken.add(cluster);
  }
  for (const c of evaluation.clusters) {
    if (c.originals.some((o) => keptFiles.has(o.libraryFileId))) taken.add(c.id);
  }

  const freeRanks: number[] = [];
  for (let rank = 0; rank < options.count; rank++) if (!keptRanks.has(rank)) freeRanks.push(rank);

  const picks: { clusterId: number; lead: ScoredCandidate; originalFiles: Set<number> }[] = [];
  for (const cluster of evaluation.clusters) {
    if (picks.length >= freeRanks.length) break;
    if (taken.has(cluster.id)) continue;
    const lead = cluster.members.find(isEligible);
    if (lead) picks.push({ clusterId: cluster.id, lead, originalFiles: new Set(cluster.originals.map((o) => o.libraryFileId)) });
  }

  const byRank = new Map(slots.map((s) => [s.rank, s]));
  const changes: SlotChange[] = [];
  freeRanks.forEach((rank, i) => {
    const current = byRank.get(rank);
    const pick = picks[i];
    if (!pick) {
      // Nothing left to choose: empty an automatic choice, but never remove the user's own file.
      if (current && current.chosenBy !== 'original') changes.push({ rank, candidateId: null });
      return;
    }
    if (current && holdsPick(current, pick, evaluation)) return;
    changes.push({ rank, candidateId: pick.lead.id });
  });
  // Ranks past the count (the user lowered it) lose automatic choices; originals stay.
  for (const s of slots) {
    if (s.rank >= options.count && !kept(s) && s.chosenBy !== 'original') changes.push({ rank: s.rank, candidateId: null });
  }
  return changes;
}

/** The slot already shows the picked picture: the same cluster (and an eligible member), or that original. */
function holdsPick(
  slot: SlotState,
  pick: { clusterId: number; originalFiles: Set<number> },
  evaluation: TypeEvaluation,
): boolean {
  if (slot.chosenBy === 'original') return slot.libraryFileId !== null && pick.originalFiles.has(slot.libraryFileId);
  if (slot.candidateId === null) return false;
  const member = evaluation.scored.get(slot.candidateId);
  return member !== undefined && isEligible(member) && evaluation.clusterOf.get(slot.candidateId) === pick.clusterId;
}
