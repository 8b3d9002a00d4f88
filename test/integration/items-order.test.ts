import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFixture, type ScanFixture } from './scan-fixtures.ts';

const nfo = (title: string, sortTitle: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><movie><title>${title}</title><sorttitle>${sortTitle}</sorttitle></movie>`;

describe('ordering items by title', () => {
  let f: ScanFixture;
  beforeAll(async () => {
    f = await scanFixture({
      'Film 10 (2010)/Film 10.mkv': { size: 1000 },
      'Film 2 (2002)/Film 2.mkv': { size: 1001 },
      'The Matrix (1999)/The Matrix.mkv': { size: 1002 },
      'A Beautiful Mind (2001)/A Beautiful Mind.mkv': { size: 1003 },
      'Élan (2020)/Elan.mkv': { size: 1004 },
      'eXistenZ (1999)/eXistenZ.mkv': { size: 1005 },
      'Return of the Jedi (1983)/Return of the Jedi.mkv': { size: 1006 },
      'Return of the Jedi (1983)/Return of the Jedi.nfo': nfo('Return of the Jedi', 'Star Wars 6'),
      'A New Hope (1977)/A New Hope.mkv': { size: 1007 },
      'A New Hope (1977)/A New Hope.nfo': nfo('A New Hope', 'Star Wars 4'),
    });
    await f.scan();
  });
  afterAll(async () => f.cleanup());

  const titles = async (order: 'asc' | 'desc' = 'asc') =>
    (await f.client.call('items-list', { sort: 'title', order, limit: 100 })).items.map((i) => i.title);

  it('orders as a media player shelves them: numbers by value, articles and accents set aside, sort titles used', async () => {
    expect(await titles()).toEqual([
      'A Beautiful Mind',
      'Élan',
      'eXistenZ',
      'Film 2',
      'Film 10',
      'The Matrix',
      'A New Hope', // sort title "Star Wars 4"
      'Return of the Jedi', // "Star Wars 6"
    ]);
  });

  it('reverses the same order, page by page', async () => {
    const all = await titles('desc');
    expect(all).toEqual((await titles()).reverse());
    const firstPage = await f.client.call('items-list', { sort: 'title', order: 'desc', limit: 3 });
    const secondPage = await f.client.call('items-list', { sort: 'title', order: 'desc', limit: 3, offset: 3 });
    expect([...firstPage.items, ...secondPage.items].map((i) => i.title)).toEqual(all.slice(0, 6));
  });
});
