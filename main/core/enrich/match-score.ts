/*
 * How well a TMDB search result fits an item, as a number from 0 to 1. Pure and tabled, so the
 * rules are tested row by row. A confident match is identified automatically; anything less, or
 * a near tie between two movies, waits for the user ("needs match").
 */

export const MATCH_RULES = {
  /** At or above: identified without asking. */
  accept: 0.8,
  /** The best must beat the runner-up (another movie) by this much, else it is a tie. */
  margin: 0.1,
  /** A title that is not exactly equal earns at most this share of its similarity. */
  inexactTitle: 0.9,
  /**
   * A title whose numbers differ from the item's (a sequel: "2" against none, "II" against "III",
   * "Part 2", a year in the title) earns at most this, below `accept`: it is offered as a choice,
   * never identified without asking.
   */
  numbersDiffer: 0.75,
  /** Factor by distance between the item's year and the result's year. */
  year: { same: 1, offByOne: 0.85, offByTwo: 0.6, further: 0.3, unknown: 0.9 },
  /** Choices kept for the user. */
  choices: 5,
} as const;

/** Leading articles dropped before comparing ("The Matrix" = "Matrix"). */
const ARTICLES = /^(the|a|an|le|la|les|el|los|las|il|lo|gli|der|die|das|de|het|een)\s+/;

/** Folds case, accents, punctuation and "&", so only the words are compared. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(ARTICLES, '')
    .replace(/\s+/g, ' ');
}

function bigrams(s: string): string[] {
  const t = s.replace(/ /g, '');
  const out: string[] = [];
  for (let i = 0; i < t.length - 1; i++) out.push(t.slice(i, i + 2));
  return out;
}

/** 1 for the same title after normalising; else Dice similarity of letter pairs, scaled down. */
export function titleSimilarity(a: string, b: string): number {
  const x = normalizeTitle(a);
  const y = normalizeTitle(b);
  if (x === '' || y === '') return 0;
  if (x === y) return 1;
  const bx = bigrams(x);
  const by = bigrams(y);
  if (bx.length === 0 || by.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const g of bx) counts.set(g, (counts.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of by) {
    const n = counts.get(g) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(g, n - 1);
    }
  }
  return ((2 * shared) / (bx.length + by.length)) * MATCH_RULES.inexactTitle;
}

export function yearFactor(itemYear: number | null, resultYear: number | null): number {
  if (itemYear === null || resultYear === null) return MATCH_RULES.year.unknown;
  const d = Math.abs(itemYear - resultYear);
  return d === 0
    ? MATCH_RULES.year.same
    : d === 1
      ? MATCH_RULES.year.offByOne
      : d === 2
        ? MATCH_RULES.year.offByTwo
        : MATCH_RULES.year.further;
}

export interface MatchTarget {
  title: string;
  originalTitle: string | null;
  year: number | null;
}

export interface MatchCandidate {
  title: string | null;
  originalTitle: string | null;
  year: number | null;
}

/** Roman numerals read as numbers when they stand alone as a word (I is too often a word). */
const ROMAN: Readonly<Record<string, number>> = { ii: 2, iii: 3, iv: 4, v: 5, vi: 6, vii: 7, viii: 8, ix: 9, x: 10 };

/**
 * The numbers a title holds, smallest first: words of digits (a year in a title too) and roman
 * numerals II–X, so "Rocky II" and "Rocky 2" hold the same number. Digits inside a word
 * ("Se7en") are part of the word, not a number.
 */
export function titleNumbers(title: string): number[] {
  const out: number[] = [];
  for (const word of normalizeTitle(title).split(' ')) {
    if (/^\d+$/.test(word)) out.push(Number(word));
    else if (Object.hasOwn(ROMAN, word)) out.push(ROMAN[word]!);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Null when two titles hold the same numbers; else why not, e.g.
 * `"Harbor Lights 2" has the number 2, "Harbor Lights" no number`.
 */
export function numbersDifference(a: string, b: string): string | null {
  const x = titleNumbers(a);
  const y = titleNumbers(b);
  if (x.length === y.length && x.every((n, i) => n === y[i])) return null;
  const has = (ns: number[]) =>
    ns.length === 0 ? 'no number' : `the number${ns.length > 1 ? 's' : ''} ${ns.join(' and ')}`;
  return `"${a}" has ${has(x)}, "${b}" ${has(y)}`;
}

/** How a result's confidence was reached, so a "needs match" can say why. */
export interface MatchExplanation {
  /** Title fit times the year factor, rounded to 3 decimals. */
  confidence: number;
  /** The best title fit (already capped when the numbers differ). */
  title: number;
  year: number;
  /**
   * Set when the best-fitting titles hold different numbers (the result's title first), e.g.
   * `"Harbor Lights 2" has the number 2, "Harbor Lights" no number`: the fit is then at most `numbersDiffer`, below `accept`.
   */
  numbers: string | null;
}

/**
 * Best title fit (any of the item's titles against any of the result's) times the year factor.
 * A pair of titles whose numbers differ (a sequel) is capped at `numbersDiffer`.
 */
export function explainMatch(item: MatchTarget, result: MatchCandidate): MatchExplanation {
  const mine = [item.title, item.originalTitle].filter((t): t is string => !!t);
  const theirs = [result.title, result.originalTitle].filter((t): t is string => !!t);
  let best = 0;
  let numbers: string | null = null;
  for (const a of mine)
    for (const b of theirs) {
      let fit = titleSimilarity(a, b);
      const differ = fit > 0 ? numbersDifference(b, a) : null;
      if (differ) fit = Math.min(fit, MATCH_RULES.numbersDiffer);
      if (fit > best) {
        best = fit;
        numbers = differ;
      }
    }
  const year = yearFactor(item.year, result.year);
  return { confidence: Math.round(best * year * 1000) / 1000, title: best, year, numbers };
}

/** The confidence of `explainMatch`. */
export function matchConfidence(item: MatchTarget, result: MatchCandidate): number {
  return explainMatch(item, result).confidence;
}

export type MatchDecision<T> =
  { kind: 'match'; best: T; confidence: number } | { kind: 'ask'; reason: 'none' | 'low' | 'tie' };

/** Decides from scored results (any order): a clear, confident winner, or ask the user. */
export function decide<T extends { id: number; confidence: number }>(scored: readonly T[]): MatchDecision<T> {
  const sorted = [...scored].sort((a, b) => b.confidence - a.confidence);
  const best = sorted[0];
  if (!best) return { kind: 'ask', reason: 'none' };
  if (best.confidence < MATCH_RULES.accept) return { kind: 'ask', reason: 'low' };
  const runnerUp = sorted.find((r) => r.id !== best.id);
  if (runnerUp && best.confidence - runnerUp.confidence < MATCH_RULES.margin) return { kind: 'ask', reason: 'tie' };
  return { kind: 'match', best, confidence: best.confidence };
}

/** The year of a "YYYY-MM-DD" date, or null. */
export function yearOf(date: string | null | undefined): number | null {
  const m = /^(\d{4})/.exec(date ?? '');
  return m ? Number(m[1]) : null;
}
