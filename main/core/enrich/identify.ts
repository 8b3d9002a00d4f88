import type { MatchChoice } from '../../../shared/api/enrich.ts';
import type { FetchOptions } from '../providers/provider.ts';
import type { TmdbClient } from '../providers/tmdb.ts';
import { tmdbPosterPreviewUrl } from '../providers/tmdb-images.ts';
import type { TmdbSearchResult } from '../providers/tmdb-schemas.ts';
import { decide, explainMatch, MATCH_RULES, yearOf, type MatchTarget } from './match-score.ts';

/** What identification needs to know about an item. */
export interface MatchSubject extends MatchTarget {
  tmdbId: number | null;
  imdbId: string | null;
  matchLocked: boolean;
}

export type Resolution =
  | { kind: 'matched'; tmdbId: number; via: 'locked' | 'known' | 'imdb' | 'search'; confidence: number }
  | { kind: 'needs_match'; reason: string; choices: MatchChoice[] };

/** The searches tried in order: title and year, the year either side, no year, then the original title. */
export function searchPlan(item: MatchTarget): { query: string; year: number | null }[] {
  const plan: { query: string; year: number | null }[] = [];
  const add = (query: string | null, year: number | null) => {
    const q = query?.trim();
    if (q && !plan.some((p) => p.query === q && p.year === year)) plan.push({ query: q, year });
  };
  for (const title of [item.title, item.originalTitle]) {
    if (item.year !== null) {
      add(title, item.year);
      if (title === item.title) {
        add(title, item.year - 1);
        add(title, item.year + 1);
      }
    }
    add(title, null);
  }
  // "Zoe and the Machine" is listed as "Zoë & the Machine": the other spelling of "and" last,
  // with the year and without (a search only runs when the ones before found nothing sure).
  const other = otherAnd(item.title);
  if (other) {
    if (item.year !== null) add(other, item.year);
    add(other, null);
  }
  return plan;
}

/** The title with "&" for "and" (or the other way round), or null when it has neither. */
function otherAnd(title: string): string | null {
  if (/\s&\s/.test(title)) return title.replace(/\s&\s/g, ' and ');
  if (/\sand\s/i.test(title)) return title.replace(/\sand\s/gi, ' & ');
  return null;
}

/** A search result with its confidence and, when its title's numbers differ from the item's, why. */
type Scored = TmdbSearchResult & { confidence: number; numbers: string | null };

function score(item: MatchTarget, results: TmdbSearchResult[]): Scored[] {
  return results.map((r) => {
    const { confidence, numbers } = explainMatch(item, {
      title: r.title,
      originalTitle: r.original_title,
      year: yearOf(r.release_date),
    });
    return { ...r, confidence, numbers };
  });
}

/**
 * Finds the item's TMDB movie: a locked (manual) match always wins; then an id the item already
 * has (NFO or an earlier match, unless `distrustKnownId`), then the IMDb id through /find, then
 * title searches with fallbacks. Low confidence or a tie asks the user.
 */
export async function resolveMovie(
  tmdb: TmdbClient,
  item: MatchSubject,
  options: FetchOptions & { distrustKnownId?: boolean },
): Promise<Resolution> {
  if (item.tmdbId !== null && item.matchLocked)
    return { kind: 'matched', tmdbId: item.tmdbId, via: 'locked', confidence: 1 };
  if (item.tmdbId !== null && !options.distrustKnownId)
    return { kind: 'matched', tmdbId: item.tmdbId, via: 'known', confidence: 1 };
  if (item.imdbId) {
    const found = await tmdb.findByImdb(item.imdbId, options);
    if (found) return { kind: 'matched', tmdbId: found.id, via: 'imdb', confidence: 1 };
  }
  const seen = new Map<number, Scored>();
  let reason: 'none' | 'low' | 'tie' = 'none';
  for (const step of searchPlan(item)) {
    const results = await tmdb.searchMovies(step.query, step.year, options);
    for (const r of score(item, results)) {
      const before = seen.get(r.id);
      if (!before || before.confidence < r.confidence) seen.set(r.id, r);
    }
    const decision = decide([...seen.values()]);
    if (decision.kind === 'match')
      return { kind: 'matched', tmdbId: decision.best.id, via: 'search', confidence: decision.confidence };
    reason = decision.reason;
    // Two good candidates stay two good candidates however many more searches we make.
    if (reason === 'tie') break;
  }
  const choices = await toChoices(tmdb, [...seen.values()], MATCH_RULES.choices, options);
  const what = `"${item.title}"${item.year !== null ? ` (${item.year})` : ''}`;
  // The best fit held back only because its title's numbers differ (a sequel?): say so.
  const best = [...seen.values()].sort((a, b) => b.confidence - a.confidence)[0];
  const text =
    reason === 'none'
      ? `TMDB found nothing for ${what}; search for it by hand.`
      : reason === 'tie'
        ? `Several TMDB movies fit ${what} equally well; choose one.`
        : best?.numbers
          ? `The closest TMDB movie, TMDB ${best.id}, is not picked automatically because the numbers in ` +
            `the titles differ (${best.numbers}): another part of a series? Choose one.`
          : `No TMDB movie fits ${what} well enough to pick it automatically; choose one.`;
  return { kind: 'needs_match', reason: text, choices };
}

/** A user's search for the "needs match" view: every result, best fit first. */
export async function searchChoices(
  tmdb: TmdbClient,
  item: MatchTarget,
  query: string,
  year: number | null,
  options: FetchOptions,
): Promise<MatchChoice[]> {
  let results = await tmdb.searchMovies(query, year, options);
  if (results.length === 0 && year !== null) results = await tmdb.searchMovies(query, null, options);
  const target: MatchTarget = {
    title: query,
    originalTitle: item.title !== query ? item.title : item.originalTitle,
    year: year ?? item.year,
  };
  return toChoices(tmdb, score(target, results), results.length, options);
}

async function toChoices(
  tmdb: TmdbClient,
  scored: Scored[],
  max: number,
  options: FetchOptions,
): Promise<MatchChoice[]> {
  if (scored.length === 0) return [];
  const config = await tmdb.configuration(options);
  return [...scored]
    .sort((a, b) => b.confidence - a.confidence || (b.popularity ?? 0) - (a.popularity ?? 0))
    .slice(0, max)
    .map((r) => ({
      tmdbId: r.id,
      title: r.title ?? r.original_title ?? `TMDB ${r.id}`,
      originalTitle: r.original_title,
      year: yearOf(r.release_date),
      overview: r.overview ? r.overview.slice(0, 400) : null,
      posterUrl: tmdbPosterPreviewUrl(config, r.poster_path),
      confidence: r.confidence,
    }));
}
