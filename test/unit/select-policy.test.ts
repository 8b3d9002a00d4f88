import { describe, expect, it } from 'vitest';
import type { AssetType } from '../../shared/asset-types.ts';
import { groupLookAlikes, hashWords, wordsDistance } from '../../main/core/select/cluster.ts';
import { evaluateType, type EvalCandidate, type EvalOriginal } from '../../main/core/select/evaluate.ts';
import { hammingDistance } from '../../main/core/select/phash.ts';
import { planType, type SlotChange, type SlotState } from '../../main/core/select/policy.ts';
import { Random } from '../fakes/prng.ts';

const rng = new Random(42);
const randomHash = (): string => rng.hex(64);
/** The same hash with `bits` bits flipped (a resized/recompressed copy looks like this). */
function flip(hash: string, bits: number): string {
  const nibbles = hash.split('').map((c) => parseInt(c, 16));
  const positions = rng.sample([...Array(256).keys()], bits);
  for (const p of positions) nibbles[p >> 2]! ^= 1 << (p & 3);
  return nibbles.map((n) => n.toString(16)).join('');
}

const context = { languages: ['fr'], providerPreference: ['tmdb', 'fanart'] };

let nextId = 1;
function cand(over: Partial<EvalCandidate> & { assetType?: AssetType } = {}): EvalCandidate {
  const id = over.id ?? nextId++;
  return {
    id,
    assetType: 'fanart',
    provider: 'tmdb',
    providerImageId: `img${id}`,
    width: 1920,
    height: 1080,
    language: null,
    voteAverage: 5.5,
    voteCount: 10,
    likes: null,
    phash: randomHash(),
    blocked: false,
    gone: false,
    ...over,
  };
}

const evaluate = (type: AssetType, cs: EvalCandidate[], originals: EvalOriginal[] = [], threshold = 8) =>
  evaluateType(type, cs, originals, context, threshold);

const slot = (rank: number, candidateId: number | null, over: Partial<SlotState> = {}): SlotState => ({
  rank,
  candidateId,
  libraryFileId: null,
  chosenBy: 'auto',
  locked: false,
  ...over,
});

/** Applies a plan to slot states, as the repository would. */
function apply(slots: SlotState[], changes: SlotChange[]): SlotState[] {
  const byRank = new Map(slots.map((s) => [s.rank, s]));
  for (const c of changes) {
    if (c.candidateId === null) byRank.delete(c.rank);
    else byRank.set(c.rank, slot(c.rank, c.candidateId));
  }
  return [...byRank.values()].sort((a, b) => a.rank - b.rank);
}

describe('hamming helpers', () => {
  it('agree with the string helper and flip exactly the bits asked', () => {
    for (let i = 0; i < 50; i++) {
      const a = randomHash();
      const b = flip(a, i % 20);
      expect(hammingDistance(a, b)).toBe(i % 20);
      expect(wordsDistance(hashWords(a)!, hashWords(b)!)).toBe(i % 20);
    }
  });

  it('treats malformed hashes as unhashed', () => {
    expect(hashWords('abc')).toBeNull();
    expect(hashWords(null)).toBeNull();
    expect(hashWords('z'.repeat(64))).toBeNull();
  });
});

describe('look-alike grouping', () => {
  it('joins pairs within the threshold transitively and leaves the rest alone', () => {
    const a = randomHash();
    const a2 = flip(a, 6);
    const a3 = flip(a2, 6); // 12 from a, 6 from a2: joins through a2
    const b = randomHash();
    expect(groupLookAlikes([a, b, a3, null, a2], 8)).toEqual([0, 1, 0, 3, 0]);
  });

  it('keeps distant images apart at the threshold boundary', () => {
    const a = randomHash();
    expect(groupLookAlikes([a, flip(a, 8)], 8)).toEqual([0, 0]);
    expect(groupLookAlikes([a, flip(a, 9)], 8)).toEqual([0, 1]);
  });

  it('shows one cluster per picture, best member first, and marks the user\'s own copy', () => {
    const h = randomHash();
    const small = cand({ provider: 'fanart', width: 1280, height: 720, phash: flip(h, 3) });
    const big = cand({ width: 3840, height: 2160, phash: h, voteAverage: 6, voteCount: 30 });
    const other = cand();
    const t = evaluate('fanart', [small, big, other], [{ libraryFileId: 7, assetType: 'fanart', rank: 0, phash: flip(h, 5) }]);
    expect(t.clusters).toHaveLength(2);
    const shared = t.clusters.find((c) => c.members.length === 2)!;
    expect(shared.id).toBe(big.id);
    expect(shared.members.map((m) => m.id)).toEqual([big.id, small.id]);
    expect(shared.originals.map((o) => o.libraryFileId)).toEqual([7]);
    expect(t.clusterOf.get(small.id)).toBe(big.id);
  });

  it('keeps an unhashed candidate as its own entry, still scored', () => {
    const c = cand({ phash: null });
    const t = evaluate('fanart', [c, cand()]);
    expect(t.clusters).toHaveLength(2);
    expect(t.scored.get(c.id)!.result.score).toBeGreaterThan(0);
  });
});

describe('auto-select plan, one row per rule', () => {
  it('fills an empty slot with the best candidate', () => {
    const low = cand({ voteAverage: 4, voteCount: 50 });
    const best = cand({ voteAverage: 7, voteCount: 50 });
    expect(planType(evaluate('fanart', [low, best]), [], { count: 1, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: best.id },
    ]);
  });

  it('picks textless fanart over fanart with text', () => {
    const withText = cand({ language: 'fr', width: 3840, height: 2160, voteAverage: 8, voteCount: 100 });
    const textless = cand({ language: null });
    expect(planType(evaluate('fanart', [withText, textless]), [], { count: 1, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: textless.id },
    ]);
  });

  it('never picks a blocked candidate', () => {
    const best = cand({ voteAverage: 7, voteCount: 50, blocked: true });
    const next = cand();
    expect(planType(evaluate('fanart', [best, next]), [], { count: 1, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: next.id },
    ]);
  });

  it('never picks a candidate below the minimum or one the provider dropped', () => {
    const tiny = cand({ width: 640, height: 360, voteAverage: 9, voteCount: 500 });
    const gone = cand({ voteAverage: 9, voteCount: 500, gone: true });
    expect(planType(evaluate('fanart', [tiny, gone]), [], { count: 1, replaceOriginals: false })).toEqual([]);
  });

  it('takes a blocked cluster lead\'s look-alike when it is eligible', () => {
    const h = randomHash();
    const lead = cand({ phash: h, voteAverage: 8, voteCount: 100, blocked: true });
    const copy = cand({ phash: flip(h, 2), provider: 'fanart' });
    expect(planType(evaluate('fanart', [lead, copy]), [], { count: 1, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: copy.id },
    ]);
  });

  it('never chooses two members of one cluster', () => {
    const h = randomHash();
    const a = cand({ phash: h, voteAverage: 8, voteCount: 100 });
    const aCopy = cand({ phash: flip(h, 4), voteAverage: 7.5, voteCount: 100, provider: 'fanart' });
    const b = cand();
    const c = cand({ voteAverage: 4, voteCount: 100 });
    const plan = planType(evaluate('fanart', [a, aCopy, b, c]), [], { count: 3, replaceOriginals: false });
    expect(plan).toEqual([
      { rank: 0, candidateId: a.id },
      { rank: 1, candidateId: b.id },
      { rank: 2, candidateId: c.id },
    ]);
  });

  it('leaves a locked slot alone and does not add its look-alike beside it', () => {
    const h = randomHash();
    const mine = cand({ phash: h, voteAverage: 3, voteCount: 100 });
    const betterCopy = cand({ phash: flip(h, 3), voteAverage: 8, voteCount: 100 });
    const other = cand();
    const slots = [slot(0, mine.id, { chosenBy: 'user', locked: true })];
    expect(planType(evaluate('fanart', [mine, betterCopy, other]), slots, { count: 2, replaceOriginals: false })).toEqual([
      { rank: 1, candidateId: other.id },
    ]);
  });

  it('keeps originals by default and skips provider copies of them', () => {
    const h = randomHash();
    const copy = cand({ phash: flip(h, 2), voteAverage: 8, voteCount: 100 });
    const other = cand();
    const originals: EvalOriginal[] = [{ libraryFileId: 3, assetType: 'fanart', rank: 0, phash: h }];
    const slots = [slot(0, null, { chosenBy: 'original', libraryFileId: 3 })];
    const t = evaluate('fanart', [copy, other], originals);
    expect(planType(t, slots, { count: 1, replaceOriginals: false })).toEqual([]);
    expect(planType(t, slots, { count: 2, replaceOriginals: false })).toEqual([{ rank: 1, candidateId: other.id }]);
  });

  it('replaces an original only when the policy allows, and not with a copy of itself', () => {
    const h = randomHash();
    const originals: EvalOriginal[] = [{ libraryFileId: 3, assetType: 'fanart', rank: 0, phash: h }];
    const slots = [slot(0, null, { chosenBy: 'original', libraryFileId: 3 })];
    const better = cand({ voteAverage: 6, voteCount: 100 });
    expect(planType(evaluate('fanart', [better], originals), slots, { count: 1, replaceOriginals: true })).toEqual([
      { rank: 0, candidateId: better.id },
    ]);
    const copy = cand({ phash: flip(h, 1), voteAverage: 9, voteCount: 100 });
    expect(planType(evaluate('fanart', [copy, better], originals), slots, { count: 1, replaceOriginals: true })).toEqual([]);
  });

  it('never empties an original, even with nothing to choose', () => {
    const slots = [slot(0, null, { chosenBy: 'original', libraryFileId: 3 })];
    expect(planType(evaluate('fanart', []), slots, { count: 1, replaceOriginals: true })).toEqual([]);
    expect(planType(evaluate('fanart', []), slots, { count: 0, replaceOriginals: true })).toEqual([]);
  });

  it('empties automatic choices past the count and when the type is turned off', () => {
    const a = cand();
    const b = cand();
    const slots = [slot(0, a.id), slot(1, b.id)];
    const t = evaluate('fanart', [a, b]);
    expect(planType(t, slots, { count: 1, replaceOriginals: false }).filter((c) => c.rank === 1)).toEqual([
      { rank: 1, candidateId: null },
    ]);
    expect(planType(t, slots, { count: 0, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: null },
      { rank: 1, candidateId: null },
    ]);
  });

  it('replaces an automatic choice whose candidate was blocked, or empties it', () => {
    const a = cand({ blocked: true, voteAverage: 9, voteCount: 100 });
    const b = cand();
    expect(planType(evaluate('fanart', [a, b]), [slot(0, a.id)], { count: 1, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: b.id },
    ]);
    expect(planType(evaluate('fanart', [a]), [slot(0, a.id)], { count: 1, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: null },
    ]);
  });

  it('treats an unlocked user choice like an automatic one', () => {
    const weak = cand({ voteAverage: 2, voteCount: 100 });
    const strong = cand({ voteAverage: 8, voteCount: 100 });
    const slots = [slot(0, weak.id, { chosenBy: 'user', locked: false })];
    expect(planType(evaluate('fanart', [weak, strong]), slots, { count: 1, replaceOriginals: false })).toEqual([
      { rank: 0, candidateId: strong.id },
    ]);
  });

  it('keeps a look-alike already in the rank instead of swapping to the cluster lead', () => {
    const h = randomHash();
    const lead = cand({ phash: h, voteAverage: 8, voteCount: 100 });
    const copy = cand({ phash: flip(h, 3), provider: 'fanart' });
    expect(planType(evaluate('fanart', [lead, copy]), [slot(0, copy.id)], { count: 1, replaceOriginals: false })).toEqual([]);
  });

  it('is idempotent: a plan applied and planned again changes nothing', () => {
    for (let round = 0; round < 30; round++) {
      const r = new Random(round);
      const hashes = Array.from({ length: 4 }, randomHash);
      const cs = Array.from({ length: r.int(0, 12) }, () =>
        cand({
          phash: r.chance(0.2) ? null : flip(r.pick(hashes), r.int(0, 12)),
          voteAverage: r.real(0, 10, 1),
          voteCount: r.int(0, 50),
          blocked: r.chance(0.15),
          width: r.pick([1280, 1920, 640]),
          height: 1080,
        }),
      );
      let slots: SlotState[] = r.chance(0.5) ? [slot(1, null, { chosenBy: 'original', libraryFileId: 1 })] : [];
      if (cs.length && r.chance(0.5)) slots.push(slot(0, r.pick(cs).id, { chosenBy: 'user', locked: true }));
      const options = { count: r.int(0, 4), replaceOriginals: r.chance(0.5) };
      const t = evaluate('fanart', cs, [{ libraryFileId: 1, assetType: 'fanart', rank: 1, phash: r.pick(hashes) }]);
      slots = apply(slots, planType(t, slots, options));
      expect(planType(t, slots, options)).toEqual([]);
    }
  });
});
