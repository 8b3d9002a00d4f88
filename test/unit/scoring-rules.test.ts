import { describe, expect, it } from 'vitest';
import type { ScoreFactor } from '../../shared/scoring.ts';
import { SCORE_MAX } from '../../shared/scoring.ts';
import { communityRating, scoreCandidate, type ScoreContext, type ScoreInput } from '../../main/core/select/score.ts';

const base: ScoreInput = {
  assetType: 'poster',
  provider: 'tmdb',
  width: 1000,
  height: 1500,
  language: 'en',
  voteAverage: null,
  voteCount: null,
  likes: null,
};
const context: ScoreContext = { languages: ['en'], providerPreference: ['tmdb', 'fanart'] };

const line = (input: Partial<ScoreInput>, factor: ScoreFactor, ctx: Partial<ScoreContext> = {}) =>
  scoreCandidate({ ...base, ...input }, { ...context, ...ctx }).breakdown.find((l) => l.factor === factor)!;

describe('score factors add up to 100', () => {
  it('has maxima summing to 100', () => {
    expect(Object.values(SCORE_MAX).reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe('language rule, one row per case', () => {
  const fr = { languages: ['fr', 'de'] };
  const rows: [string, Partial<ScoreInput>, Partial<ScoreContext>, number, RegExp][] = [
    ['poster in the first language', { language: 'fr' }, fr, 50, /first language/],
    ['poster in the second language', { language: 'de' }, fr, 42, /second language/],
    ['poster in English, not in the list', { language: 'en' }, fr, 28, /English/],
    ['poster in English, listed second', { language: 'en' }, { languages: ['fr', 'en'] }, 42, /second language/],
    ['textless poster', { language: null }, fr, 18, /No language/],
    ['"xx" is no language', { language: 'xx' }, fr, 18, /No language/],
    ['"00" is no language', { language: '00' }, fr, 18, /No language/],
    ['poster in another language', { language: 'ja' }, fr, 0, /not one of your languages/],
    ['same language, other region', { language: 'fr-FR' }, { languages: ['fr-CA'] }, 47, /FR rather than CA/],
    ['same language, no region given', { language: 'fr' }, { languages: ['fr-CA'] }, 50, /first language/],
    ['exact region beats base match later', { language: 'pt-BR' }, { languages: ['pt-PT', 'pt-BR'] }, 47, /first language/],
    ['far down the list stops at the floor', { language: 'it' }, { languages: ['a', 'b', 'c', 'd', 'e', 'it'].map((x) => (x.length === 1 ? `${x}${x}` : x)) }, 30, /6th language/],
    ['fanart without text', { assetType: 'fanart', language: null, width: 1920, height: 1080 }, fr, 50, /textless/],
    ['fanart with French text', { assetType: 'fanart', language: 'fr', width: 1920, height: 1080 }, fr, 18, /best without text/],
    ['fanart with English text', { assetType: 'fanart', language: 'en', width: 1920, height: 1080 }, fr, 14, /English/],
    ['fanart with foreign text', { assetType: 'fanart', language: 'ko', width: 1920, height: 1080 }, fr, 0, /not one of/],
    ['keyart is textless', { assetType: 'keyart', language: null }, fr, 50, /textless/],
    ['landscape is textless', { assetType: 'landscape', language: null, width: 1000, height: 562 }, fr, 50, /textless/],
    ['clearlogo is localized', { assetType: 'clearlogo', language: 'fr', width: 800, height: 310 }, fr, 50, /first/],
    ['discart is localized', { assetType: 'discart', language: null, width: 1000, height: 1000 }, fr, 18, /No language/],
  ];
  it.each(rows)('%s', (_name, input, ctx, points, reason) => {
    const l = line(input, 'language', ctx);
    expect(l.points).toBe(points);
    expect(l.reason).toMatch(reason);
    expect(l.max).toBe(50);
  });
});

describe('resolution rule, one row per case', () => {
  const rows: [string, Partial<ScoreInput>, number, boolean, RegExp][] = [
    ['poster at the ideal', { width: 1000, height: 1500 }, 20, false, /meets the ideal/],
    ['poster above the ideal earns no more', { width: 2000, height: 3000 }, 20, false, /meets the ideal/],
    ['Fanart.tv poster size counts as ideal', { width: 1000, height: 1426 }, 20, false, /meets the ideal/],
    ['poster at the minimum', { width: 500, height: 750 }, 6, false, /step 0 of 5/],
    ['poster half way', { width: 700, height: 1050 }, 11.6, false, /step 2 of 5/],
    ['poster one pixel below the minimum', { width: 499, height: 749 }, -20, true, /below the minimum 500×750/],
    ['poster too short', { width: 600, height: 700 }, -20, true, /below the minimum/],
    ['size unknown', { width: null, height: null }, 10, false, /not given/],
    ['fanart 4K', { assetType: 'fanart', width: 3840, height: 2160 }, 20, false, /meets/],
    ['fanart 720p is the minimum', { assetType: 'fanart', width: 1280, height: 720 }, 6, false, /step 0/],
    ['fanart 300 px wide', { assetType: 'fanart', width: 300, height: 169 }, -20, true, /below/],
    ['wide logo: only width counts', { assetType: 'clearlogo', width: 800, height: 150 }, 20, false, /meets/],
    ['narrow logo below minimum width', { assetType: 'clearlogo', width: 380, height: 150 }, -20, true, /400 wide/],
  ];
  it.each(rows)('%s', (_name, input, points, below, reason) => {
    const result = scoreCandidate({ ...base, ...input }, context);
    const l = result.breakdown.find((x) => x.factor === 'resolution')!;
    expect(l.points).toBe(points);
    expect(result.belowMinimum).toBe(below);
    expect(l.reason).toMatch(reason);
  });
});

describe('aspect rule, one row per case', () => {
  const rows: [string, Partial<ScoreInput>, number][] = [
    ['exact 2:3 poster', { width: 1000, height: 1500 }, 10],
    ['Fanart.tv 1000×1426 poster', { width: 1000, height: 1426 }, 10],
    ['square "poster"', { width: 1000, height: 1000 }, 0],
    ['poster 10% too wide', { width: 1100, height: 1500 }, 8.1],
    ['unknown shape', { width: null, height: null }, 5],
    ['16:9 fanart', { assetType: 'fanart', width: 1920, height: 1080 }, 10],
    ['2.39:1 fanart', { assetType: 'fanart', width: 1920, height: 803 }, 0],
    ['logo at 4:1 is fine', { assetType: 'clearlogo', width: 800, height: 200 }, 10],
    ['logo at 8:1 loses some', { assetType: 'clearlogo', width: 800, height: 100 }, 3.7],
    ['square logo loses half', { assetType: 'clearlogo', width: 600, height: 600 }, 5.5],
    ['disc must be round', { assetType: 'discart', width: 1000, height: 800 }, 0],
  ];
  it.each(rows)('%s', (_name, input, points) => {
    expect(line(input, 'aspect').points).toBe(points);
  });
});

describe('community signal, normalised across providers', () => {
  const rows: [string, Partial<ScoreInput>, number, RegExp][] = [
    ['TMDB image nobody voted on is neutral', { voteAverage: 0, voteCount: 0 }, 7.5, /no votes yet/],
    ['no signal at all is neutral', {}, 7.5, /no votes yet/],
    ['one perfect TMDB vote is not a consensus', { voteAverage: 10, voteCount: 1 }, 11.3, /10.0 from 1 vote$/],
    ['TMDB 5.8 from 40 votes', { voteAverage: 5.8, voteCount: 40 }, 9.7, /5.8 from 40 votes/],
    ['TMDB 5.3 from 4 votes', { voteAverage: 5.312, voteCount: 4 }, 8, /5.3 from 4 votes/],
    ['TMDB disliked', { voteAverage: 3, voteCount: 30 }, 2, /3.0 from 30/],
    ['Fanart.tv 0 likes', { provider: 'fanart', likes: 0 }, 7.5, /0 likes/],
    ['Fanart.tv 1 like', { provider: 'fanart', likes: 1 }, 8.8, /1 like$/],
    ['Fanart.tv 10 likes', { provider: 'fanart', likes: 10 }, 11.9, /10 likes/],
    ['Fanart.tv 60 likes is the top', { provider: 'fanart', likes: 60 }, 15, /60 likes/],
    ['Fanart.tv 500 likes stays at the top', { provider: 'fanart', likes: 500 }, 15, /500 likes/],
  ];
  it.each(rows)('%s', (_name, input, points, reason) => {
    const l = line(input, 'community');
    expect(l.points).toBe(points);
    expect(l.reason).toMatch(reason);
  });

  it('never lets popularity reorder two of the user\'s languages', () => {
    const ctx = { ...context, languages: ['fr', 'en'] };
    const frenchUnrated = scoreCandidate({ ...base, language: 'fr' }, ctx);
    const englishAdored = scoreCandidate({ ...base, provider: 'fanart', language: 'en', likes: 500 }, { ...ctx, providerPreference: ['fanart'] });
    expect(frenchUnrated.score).toBeGreaterThan(englishAdored.score);
  });

  it('ranks a well-liked Fanart.tv image near a well-voted TMDB image', () => {
    const tmdb = communityRating({ voteAverage: 5.8, voteCount: 40, likes: null }).rating;
    const fanart = communityRating({ voteAverage: null, voteCount: null, likes: 5 }).rating;
    expect(Math.abs(tmdb - fanart)).toBeLessThan(1);
  });
});

describe('provider preference', () => {
  const rows: [string, string, string[], number][] = [
    ['first provider', 'tmdb', ['tmdb', 'fanart'], 5],
    ['second provider', 'fanart', ['tmdb', 'fanart'], 2],
    ['order swapped', 'fanart', ['fanart', 'tmdb'], 5],
    ['not listed', 'other', ['tmdb', 'fanart'], 0],
  ];
  it.each(rows)('%s', (_name, provider, preference, points) => {
    expect(line({ provider }, 'provider', { providerPreference: preference }).points).toBe(points);
  });
});

describe('whole scores', () => {
  it('stays within 0–100 and sums its breakdown', () => {
    const worst = scoreCandidate({ ...base, language: 'ja', width: 10, height: 100, voteAverage: 1, voteCount: 100, provider: 'x' }, context);
    expect(worst.score).toBe(0);
    const best = scoreCandidate({ ...base, voteAverage: 10, voteCount: 10_000 }, context);
    expect(best.score).toBeLessThanOrEqual(100);
    expect(best.score).toBeCloseTo(best.breakdown.reduce((a, l) => a + l.points, 0), 5);
  });

  it('prefers a poster in the user\'s language over a bigger, well-voted English one', () => {
    const ctx = { ...context, languages: ['fr'] };
    const french = scoreCandidate({ ...base, provider: 'fanart', language: 'fr', width: 1000, height: 1426, likes: 0 }, ctx);
    const english = scoreCandidate({ ...base, language: 'en', width: 2000, height: 3000, voteAverage: 5.8, voteCount: 40 }, ctx);
    expect(french.score).toBeGreaterThan(english.score);
  });

  it('prefers textless fanart over fanart with text in the user\'s language', () => {
    const fanart = { ...base, assetType: 'fanart' as const, width: 1920, height: 1080 };
    const textless = scoreCandidate({ ...fanart, language: null }, context);
    const withText = scoreCandidate({ ...fanart, language: 'en', width: 3840, height: 2160, voteAverage: 6.5, voteCount: 100 }, context);
    expect(textless.score).toBeGreaterThan(withText.score);
  });

  it('ranks a well-voted image below the minimum under an unrated one at the minimum', () => {
    const tiny = scoreCandidate({ ...base, width: 400, height: 600, voteAverage: 6.5, voteCount: 200 }, context);
    const plain = scoreCandidate({ ...base, width: 500, height: 750 }, context);
    expect(tiny.belowMinimum).toBe(true);
    expect(plain.score).toBeGreaterThan(tiny.score);
  });
});
