import { describe, expect, it } from 'vitest';
import {
  decide,
  explainMatch,
  MATCH_RULES,
  matchConfidence,
  numbersDifference,
  titleNumbers,
} from '../../main/core/enrich/match-score.ts';

const item = (title: string, year: number | null = 1997) => ({ title, originalTitle: null, year });
const result = (title: string, year: number | null = 1997) => ({ title, originalTitle: null, year });

describe('numbers in titles', () => {
  it.each([
    ['Harbor Lights 2', [2]],
    ['Rocky II', [2]],
    ['The Lantern III', [3]],
    ['Harbor Lights: Part 2', [2]],
    ['1917', [1917]],
    ['Blade Runner 2049', [2049]],
    ['2001: A Space Odyssey', [2001]],
    ['Se7en', []],
    ['Harbor Lights', []],
    ['I, Robot', []],
  ])('%j holds %j', (title, numbers) => {
    expect(titleNumbers(title)).toEqual(numbers);
  });

  it.each([
    // item title, result title: the numbers differ, so the result is never accepted by itself
    ['Harbor Lights', 'Harbor Lights 2'],
    ['Toy Story', 'Toy Story 2'],
    ['Scream', 'Scream 2'],
    ['Harbor Lights 2', 'Harbor Lights 3'],
    ['The Lantern II', 'The Lantern III'],
    ['Harbor Lights Part 2', 'Harbor Lights'],
    ['Harbor Lights 1994', 'Harbor Lights'],
    ['The Lord of the Rings The Return of the King', 'The Lord of the Rings The Return of the King 2'],
  ])('%j against %j is held back below the acceptance threshold, with the reason', (mine, theirs) => {
    const e = explainMatch(item(mine), result(theirs));
    expect(e.confidence).toBeLessThan(MATCH_RULES.accept);
    expect(e.confidence).toBeLessThanOrEqual(MATCH_RULES.numbersDiffer);
    expect(e.numbers).toContain(`"${theirs}"`);
    expect(decide([{ id: 1, confidence: e.confidence }])).toEqual({ kind: 'ask', reason: 'low' });
  });

  it.each([
    ['1917', '1917'],
    ['Blade Runner 2049', 'Blade Runner 2049'],
    ['2001 A Space Odyssey', '2001: A Space Odyssey'],
    ['Se7en', 'Se7en'],
    ['HARBOR LIGHTS 2', 'Harbor Lights 2'],
    ['Project Ultraviolet Part II', 'Project Ultraviolet: Part II'],
  ])('%j still matches %j', (mine, theirs) => {
    const e = explainMatch(item(mine), result(theirs));
    expect(e).toMatchObject({ confidence: 1, numbers: null });
  });

  it('roman and arabic numbers are the same number', () => {
    expect(numbersDifference('Rocky II', 'Rocky 2')).toBeNull();
    expect(explainMatch(item('Rocky II'), result('Rocky 2')).numbers).toBeNull();
  });

  it('says which title holds which number', () => {
    expect(explainMatch(item('Harbor Lights'), result('Harbor Lights 2')).numbers).toBe(
      '"Harbor Lights 2" has the number 2, "Harbor Lights" no number',
    );
    expect(numbersDifference('The Lantern III', 'The Lantern II')).toBe(
      '"The Lantern III" has the number 3, "The Lantern II" the number 2',
    );
  });

  it('the movie itself still wins clearly over its sequel', () => {
    const decision = decide([
      { id: 1, confidence: matchConfidence(item('Harbor Lights', 1994), result('Harbor Lights', 1994)) },
      { id: 2, confidence: matchConfidence(item('Harbor Lights', 1994), result('Harbor Lights 2', 1994)) },
    ]);
    expect(decision).toMatchObject({ kind: 'match', best: { id: 1 } });
  });

  it('an original title with the same number still counts', () => {
    const e = explainMatch(
      { title: 'Harbor Lights 2', originalTitle: null, year: 1997 },
      { title: 'Harbor Lights II', originalTitle: 'Harbor Lights 2', year: 1997 },
    );
    expect(e).toMatchObject({ confidence: 1, numbers: null });
  });
});
