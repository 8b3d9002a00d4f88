import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFixture, type ScanFixture } from './scan-fixtures.ts';

describe('searching items', () => {
  let f: ScanFixture;
  beforeAll(async () => {
    f = await scanFixture({
      'Amélie (2001)/Amélie.mkv': { size: 1000 },
      'Zoë & the Machine (2015)/Zoe.mkv': { size: 1001 },
      'Søren (2010)/Soren.mkv': { size: 1002 },
      'Straße (1998)/Strasse.mkv': { size: 1003 },
      'Heat (1995)/Heat.mkv': { size: 1004 },
    });
    await f.scan();
  });
  afterAll(async () => f.cleanup());

  const titles = async (search: string) =>
    (await f.client.call('items-list', { search, limit: 100 })).items.map((i) => i.title);

  it('ignores accents and case on both sides', async () => {
    expect(await titles('amelie')).toEqual(['Amélie']);
    expect(await titles('AMÉLIE')).toEqual(['Amélie']);
    expect(await titles('zoe')).toEqual(['Zoë & the Machine']);
    expect(await titles('Zoë')).toEqual(['Zoë & the Machine']);
  });

  it('matches letters that are not a letter plus an accent by their plain spelling', async () => {
    expect(await titles('soren')).toEqual(['Søren']);
    expect(await titles('strasse')).toEqual(['Straße']);
  });

  it('finds the movies of a year, alone or after words of the title', async () => {
    expect(await titles('1995')).toEqual(['Heat']);
    expect(await titles('heat 1995')).toEqual(['Heat']);
    expect(await titles('Heat (1995)')).toEqual(['Heat']);
    expect(await titles('heat 1996')).toEqual([]);
  });

  it('still treats % and _ as plain characters', async () => {
    expect(await titles('%')).toEqual([]);
    expect(await titles('h_at')).toEqual([]);
  });
});
