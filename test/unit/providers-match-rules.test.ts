import { describe, expect, it } from 'vitest';
import { searchPlan } from '../../main/core/enrich/identify.ts';
import { certificationOf, countryOf, movieFields, outlineOf } from '../../main/core/enrich/metadata.ts';
import {
  decide,
  matchConfidence,
  normalizeTitle,
  titleSimilarity,
  yearFactor,
} from '../../main/core/enrich/match-score.ts';
import { parseLeniently } from '../../main/core/providers/parse.ts';
import { tmdbMovieSchema, type TmdbImageConfig } from '../../main/core/providers/tmdb-schemas.ts';

describe('title normalising', () => {
  it.each([
    ['The Matrix', 'matrix'],
    ['Amélie', 'amelie'],
    ["Amélie's Garden", 'amelies garden'],
    ['Zoë & the Machine', 'zoe and the machine'],
    ['Harbor Lights: Homecoming', 'harbor lights homecoming'],
    ['  LE   Jardin  ', 'jardin'],
    ['1943', '1943'],
    ['灯籠の精', '灯籠の精'],
  ])('%j → %j', (title, expected) => {
    expect(normalizeTitle(title)).toBe(expected);
  });
});

describe('match confidence', () => {
  it.each([
    // item title, item year, result title, result year, expected confidence
    ['Harbor Lights', 1994, 'Harbor Lights', 1994, 1],
    ['harbor lights', 1994, 'Harbor Lights', 1995, 0.85],
    ['Harbor Lights', 1994, 'Harbor Lights', 1996, 0.6],
    ['Harbor Lights', 1994, 'Harbor Lights', 2010, 0.3],
    ['Harbor Lights', null, 'Harbor Lights', 1994, 0.9],
    ['The Matrix', 1999, 'Matrix', 1999, 1],
  ])('%j (%s) vs %j (%s) → %s', (title, year, rTitle, rYear, expected) => {
    expect(
      matchConfidence({ title, originalTitle: null, year }, { title: rTitle, originalTitle: null, year: rYear }),
    ).toBe(expected);
  });

  it('a sequel scores clearly below the movie itself', () => {
    const item = { title: 'Harbor Lights', originalTitle: null, year: null };
    const itself = matchConfidence(item, { title: 'Harbor Lights', originalTitle: null, year: 1994 });
    const sequel = matchConfidence(item, { title: 'Harbor Lights 2', originalTitle: null, year: 1997 });
    expect(itself - sequel).toBeGreaterThanOrEqual(0.1);
  });

  it('the original title counts on either side', () => {
    const item = { title: 'Le Jardin d’Amélie', originalTitle: null, year: 2001 };
    expect(matchConfidence(item, { title: "Amélie's Garden", originalTitle: 'Le Jardin d’Amélie', year: 2001 })).toBe(
      1,
    );
  });

  it.each([
    [0, 1, 1],
    [1, 1, 0.85],
    [3, 1, 0.3],
  ])('year distance %i → factor %s', (d, _n, expected) => {
    expect(yearFactor(2000, 2000 + d)).toBe(expected);
  });

  it('similar titles are similar, different ones are not', () => {
    expect(titleSimilarity('Snow Island', 'Snow Island')).toBe(1);
    expect(titleSimilarity('Snow Island', 'Snow Islands')).toBeGreaterThan(0.8);
    expect(titleSimilarity('Snow Island', 'Hidden Canyons')).toBeLessThan(0.3);
  });
});

describe('match decisions', () => {
  it.each([
    ['no results', [], { kind: 'ask', reason: 'none' }],
    ['one confident result', [{ id: 1, confidence: 0.95 }], { kind: 'match', confidence: 0.95 }],
    [
      'a clear winner',
      [
        { id: 2, confidence: 0.7 },
        { id: 1, confidence: 0.9 },
      ],
      { kind: 'match', confidence: 0.9 },
    ],
    ['low confidence', [{ id: 1, confidence: 0.6 }], { kind: 'ask', reason: 'low' }],
    [
      'a tie',
      [
        { id: 1, confidence: 0.9 },
        { id: 2, confidence: 0.9 },
      ],
      { kind: 'ask', reason: 'tie' },
    ],
    [
      'a near tie',
      [
        { id: 1, confidence: 0.95 },
        { id: 2, confidence: 0.9 },
      ],
      { kind: 'ask', reason: 'tie' },
    ],
    [
      'the same movie twice',
      [
        { id: 1, confidence: 0.9 },
        { id: 1, confidence: 0.85 },
      ],
      { kind: 'match', confidence: 0.9 },
    ],
  ])('%s', (_what, scored, expected) => {
    expect(decide(scored)).toMatchObject(expected);
  });
});

describe('search plan', () => {
  it('tries title and year, the years around, no year, then the original title', () => {
    expect(searchPlan({ title: 'Snow Island', originalTitle: 'Snöön', year: 2002 })).toEqual([
      { query: 'Snow Island', year: 2002 },
      { query: 'Snow Island', year: 2001 },
      { query: 'Snow Island', year: 2003 },
      { query: 'Snow Island', year: null },
      { query: 'Snöön', year: 2002 },
      { query: 'Snöön', year: null },
    ]);
    expect(searchPlan({ title: 'Snow Island', originalTitle: 'Snow Island', year: null })).toEqual([
      { query: 'Snow Island', year: null },
    ]);
  });

  it('ends with the other spelling of "and", for titles listed with "&" (and the other way round)', () => {
    expect(searchPlan({ title: 'Zoe and the Machine', originalTitle: null, year: 2022 }).slice(-2)).toEqual([
      { query: 'Zoe & the Machine', year: 2022 },
      { query: 'Zoe & the Machine', year: null },
    ]);
    expect(searchPlan({ title: 'Tom & Jerry', originalTitle: null, year: null }).at(-1)).toEqual({
      query: 'Tom and Jerry',
      year: null,
    });
    expect(searchPlan({ title: 'Andromeda', originalTitle: null, year: null })).toEqual([
      { query: 'Andromeda', year: null },
    ]);
  });
});

const CONFIG: TmdbImageConfig = {
  secure_base_url: 'https://img.example/t/p/',
  poster_sizes: ['w342', 'original'],
  backdrop_sizes: ['w300', 'original'],
  logo_sizes: ['w300', 'original'],
  profile_sizes: ['w185', 'h632', 'original'],
};

// A details answer written for this test in the documented shape.
const DETAILS = {
  id: 1001,
  imdb_id: 'tt0000001',
  title: 'Fake Movie',
  original_title: 'Film Factice',
  overview: 'A fake movie. It has two sentences!',
  tagline: '',
  release_date: '1999-03-31',
  runtime: '121',
  vote_average: 7.9,
  vote_count: 100,
  genres: [
    { id: 28, name: 'Action' },
    { id: 18, name: 'Drama' },
  ],
  production_companies: [{ id: 1, name: 'Fake Studio', logo_path: null }],
  production_countries: [{ iso_3166_1: 'FR', name: 'France' }],
  belongs_to_collection: null,
  credits: {
    cast: [
      { id: 7, name: 'Second Billed', character: 'Sidekick', order: 1, profile_path: null },
      { id: 6, name: 'First Billed', character: 'Hero', order: 0, profile_path: '/p1.jpg' },
    ],
    crew: [
      { name: 'Dee Rector', job: 'Director', department: 'Directing' },
      { name: 'Rita Writer', job: 'Screenplay', department: 'Writing' },
      { name: 'Rita Writer', job: 'Story', department: 'Writing' },
      { name: 'Pro Ducer', job: 'Producer', department: 'Production' },
    ],
  },
  release_dates: {
    results: [
      {
        iso_3166_1: 'US',
        release_dates: [
          { certification: '', type: 1 },
          { certification: 'PG-13', type: 3 },
        ],
      },
      {
        iso_3166_1: 'FR',
        release_dates: [
          { certification: 'TP', type: 4 },
          { certification: '12', type: 3 },
        ],
      },
    ],
  },
};

describe('TMDB details as metadata fields', () => {
  const movie = parseLeniently(tmdbMovieSchema, DETAILS).value!;

  it('maps every field we keep, and leaves out what TMDB does not have', () => {
    const fields = movieFields(movie, CONFIG, { country: 'US' });
    expect(fields).toEqual({
      title: 'Fake Movie',
      originalTitle: 'Film Factice',
      year: 1999,
      releaseDate: '1999-03-31',
      plot: 'A fake movie. It has two sentences!',
      outline: 'A fake movie.',
      runtime: 121,
      ratings: [{ source: 'themoviedb', value: 7.9, votes: 100, max: 10 }],
      genres: ['Action', 'Drama'],
      studios: ['Fake Studio'],
      countries: ['France'],
      directors: ['Dee Rector'],
      writers: ['Rita Writer'],
      cast: [
        { name: 'First Billed', role: 'Hero', order: 0, profileUrl: 'https://img.example/t/p/h632/p1.jpg', tmdbId: 6 },
        { name: 'Second Billed', role: 'Sidekick', order: 1, profileUrl: null, tmdbId: 7 },
      ],
      certification: 'PG-13',
    });
    expect('tagline' in fields).toBe(false);
    expect('collection' in fields).toBe(false);
  });

  it.each([
    ['US', 'PG-13'],
    ['FR', '12'],
    ['DE', 'PG-13'],
  ])('certification for %s → %s (theatrical first, US as fallback)', (country, expected) => {
    expect(certificationOf(movie, country)).toBe(expected);
  });

  it.each([
    [['en'], 'US'],
    [['fr-CA', 'en'], 'CA'],
    [['de', 'pt-BR'], 'BR'],
  ])('country of %j → %s', (languages, expected) => {
    expect(countryOf(languages)).toBe(expected);
  });

  it('cuts a long outline', () => {
    expect(outlineOf('x'.repeat(400)).length).toBe(300);
    expect(outlineOf('No full stop at all')).toBe('No full stop at all');
  });
});
