import { ASSET_TYPE_SPECS, type AssetType } from '../../../shared/asset-types.ts';
import {
  ASPECT_TOLERANCE,
  COMMUNITY_RULE,
  LANGUAGE_POINTS,
  MINIMUM_BY,
  PROVIDER_POINTS,
  RESOLUTION_RULE,
  SCORE_MAX,
  type ScoreLine,
  type ScoreResult,
} from '../../../shared/scoring.ts';

/** What the scorer looks at: the provider's facts about one image, nothing downloaded. */
export interface ScoreInput {
  assetType: AssetType;
  provider: string;
  width: number | null;
  height: number | null;
  /** ISO 639-1, optionally with a region (`fr-CA`); null = no language. */
  language: string | null;
  voteAverage: number | null;
  voteCount: number | null;
  likes: number | null;
}

/** The user's preferences the score depends on (settings `languages`, `providers.preference`). */
export interface ScoreContext {
  languages: readonly string[];
  providerPreference: readonly string[];
}

/**
 * Scores one candidate 0–100 with a line per factor (docs/SCORING.md). Pure: the same input and
 * context always give the same result, so the picker, auto-select and tests agree.
 */
export function scoreCandidate(candidate: ScoreInput, context: ScoreContext): ScoreResult {
  const resolution = resolutionLine(candidate);
  const breakdown: ScoreLine[] = [
    languageLine(candidate, context),
    resolution.line,
    aspectLine(candidate),
    communityLine(candidate),
    providerLine(candidate, context),
  ];
  const sum = breakdown.reduce((total, line) => total + line.points, 0);
  return { score: round1(Math.min(100, Math.max(0, sum))), breakdown, belowMinimum: resolution.belowMinimum };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

const NO_LANGUAGE = new Set(['', 'xx', '00', 'zxx', 'none']);

/** `fr-ca` → { base: 'fr', region: 'CA' }; the "no language" spellings → null. */
export function parseLanguage(code: string | null): { base: string; region: string | null } | null {
  if (code === null) return null;
  const trimmed = code.trim();
  if (NO_LANGUAGE.has(trimmed.toLowerCase())) return null;
  const [base = '', region] = trimmed.split(/[-_]/);
  return { base: base.toLowerCase(), region: region ? region.toUpperCase() : null };
}

let displayNames: Intl.DisplayNames | null | undefined;
function languageName(base: string): string {
  if (displayNames === undefined) {
    try {
      displayNames = new Intl.DisplayNames(['en'], { type: 'language' });
    } catch {
      displayNames = null;
    }
  }
  try {
    const name = displayNames?.of(base);
    return name && name !== base ? `${name} (${base})` : base;
  } catch {
    return base;
  }
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];
const ordinal = (i: number): string => ORDINALS[i] ?? `${i + 1}th`;

function languageLine(c: ScoreInput, context: ScoreContext): ScoreLine {
  const rule = ASSET_TYPE_SPECS[c.assetType].language;
  const table = LANGUAGE_POINTS[rule];
  const max = SCORE_MAX.language;
  const line = (points: number, reason: string): ScoreLine => ({ factor: 'language', points: round1(points), max, reason });
  const lang = parseLanguage(c.language);
  if (!lang) {
    return line(table.none, rule === 'textless' ? 'No language: textless, as this type should be' : 'No language (textless)');
  }
  const name = languageName(lang.base);
  let best: { points: number; reason: string } | null = null;
  for (const [i, wanted] of context.languages.entries()) {
    const w = parseLanguage(wanted);
    if (!w || w.base !== lang.base) continue;
    let points = Math.max(table.preferredFloor, table.preferredFirst - i * table.preferredStep);
    let reason = `${name}, your ${ordinal(i)} language`;
    if (w.region && lang.region && w.region !== lang.region) {
      points -= table.regionMismatch;
      reason += `, but for ${lang.region} rather than ${w.region}`;
    }
    if (!best || points > best.points) best = { points, reason };
  }
  const textNote = rule === 'textless' ? ' (this type is best without text)' : '';
  if (best) return line(best.points, best.reason + textNote);
  if (lang.base === 'en') return line(table.english, `English, the fallback language${textNote}`);
  return line(table.other, `${name}, not one of your languages`);
}

function resolutionLine(c: ScoreInput): { line: ScoreLine; belowMinimum: boolean } {
  const spec = ASSET_TYPE_SPECS[c.assetType];
  const max = SCORE_MAX.resolution;
  const line = (points: number, reason: string): ScoreLine => ({ factor: 'resolution', points: round1(points), max, reason });
  const { width: w, height: h } = c;
  const ideal = `${spec.ideal.width}×${spec.ideal.height}`;
  if (!w || !h || w <= 0 || h <= 0) {
    return { line: line(max * RESOLUTION_RULE.unknownShare, 'Size not given by the provider'), belowMinimum: false };
  }
  const size = `${w}×${h}`;
  const widthOnly = MINIMUM_BY[c.assetType] === 'width';
  const below = w < spec.minimum.width || (!widthOnly && h < spec.minimum.height);
  if (below) {
    const minimum = widthOnly ? `${spec.minimum.width} wide` : `${spec.minimum.width}×${spec.minimum.height}`;
    return { line: line(RESOLUTION_RULE.belowMinimumPoints, `${size} is below the minimum ${minimum}`), belowMinimum: true };
  }
  const scale = widthOnly ? w / spec.ideal.width : Math.min(w / spec.ideal.width, h / spec.ideal.height);
  if (scale >= RESOLUTION_RULE.nearIdeal) {
    return { line: line(max, `${size} meets the ideal ${ideal}`), belowMinimum: false };
  }
  const minScale = widthOnly
    ? spec.minimum.width / spec.ideal.width
    : Math.min(spec.minimum.width / spec.ideal.width, spec.minimum.height / spec.ideal.height);
  const top = RESOLUTION_RULE.nearIdeal;
  const t = minScale >= top ? 1 : (scale - minScale) / (top - minScale);
  const { steps, floorShare } = RESOLUTION_RULE;
  const step = Math.min(steps, Math.floor(t * steps + 1e-9));
  const share = floorShare + ((1 - floorShare) * step) / steps;
  return { line: line(max * share, `${size}: step ${step} of ${steps} from the minimum to the ideal ${ideal}`), belowMinimum: false };
}

function aspectLine(c: ScoreInput): ScoreLine {
  const spec = ASSET_TYPE_SPECS[c.assetType];
  const max = SCORE_MAX.aspect;
  const line = (points: number, reason: string): ScoreLine => ({ factor: 'aspect', points: round1(points), max, reason });
  if (!c.width || !c.height || c.width <= 0 || c.height <= 0) return line(max / 2, 'Shape unknown');
  const actual = c.width / c.height;
  const deviation = Math.abs(Math.log(actual / spec.aspect));
  const { full, zero } = ASPECT_TOLERANCE[c.assetType];
  const pct = `${Math.round(Math.expm1(deviation) * 100)}%`;
  if (deviation <= full) return line(max, `Shape fits (${pct} off the ideal)`);
  if (deviation >= zero) return line(0, `Wrong shape (${pct} off the ideal)`);
  return line((max * (zero - deviation)) / (zero - full), `Shape ${pct} off the ideal`);
}

/** The community's opinion of an image on one 0–10 scale, whichever provider reported it. */
export function communityRating(c: Pick<ScoreInput, 'voteAverage' | 'voteCount' | 'likes'>): { rating: number; reason: string } {
  const { neutral, tmdbPriorVotes, tmdbStretch, fanartLikesForTop } = COMMUNITY_RULE;
  if (c.likes !== null && c.likes >= 0) {
    const rating = Math.min(10, neutral + ((10 - neutral) * Math.log1p(c.likes)) / Math.log1p(fanartLikesForTop));
    return { rating, reason: `${c.likes} like${c.likes === 1 ? '' : 's'}` };
  }
  const votes = c.voteCount ?? 0;
  if (c.voteAverage !== null && votes > 0) {
    const shrunk = (c.voteAverage * votes + neutral * tmdbPriorVotes) / (votes + tmdbPriorVotes);
    const rating = Math.min(10, Math.max(0, neutral + (shrunk - neutral) * tmdbStretch));
    return { rating, reason: `average ${c.voteAverage.toFixed(1)} from ${votes} vote${votes === 1 ? '' : 's'}` };
  }
  return { rating: neutral, reason: 'no votes yet' };
}

function communityLine(c: ScoreInput): ScoreLine {
  const max = SCORE_MAX.community;
  const { rating, reason } = communityRating(c);
  return { factor: 'community', points: round1((rating / 10) * max), max, reason: `Community: ${reason}` };
}

const PROVIDER_NAMES: Readonly<Record<string, string>> = { tmdb: 'TMDB', fanart: 'Fanart.tv' };

function providerLine(c: ScoreInput, context: ScoreContext): ScoreLine {
  const max = SCORE_MAX.provider;
  const index = context.providerPreference.indexOf(c.provider);
  const points = index >= 0 ? (PROVIDER_POINTS[index] ?? 0) : 0;
  const name = PROVIDER_NAMES[c.provider] ?? c.provider;
  const reason = index >= 0 ? `${name}, your ${ordinal(index)} provider` : `${name}, not in your provider list`;
  return { factor: 'provider', points, max, reason };
}
