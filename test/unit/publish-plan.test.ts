import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AssetType } from '../../shared/asset-types.ts';
import {
  planItem,
  type DiskEntry,
  type ItemPlanInput,
  type LedgerEntry,
  type PlanBlob,
  type PlanOp,
  type PlanSlot,
  type PublishSettings,
} from '../../main/core/publish/plan.ts';

const FOLDER = '/lib/Alien (1979)';
const BASE = 'Alien (1979)';
const sha = (c: string) => c.repeat(64).slice(0, 64);
const blob = (c: string, ext: PlanBlob['ext'] = 'jpg', bytes = 1000): PlanBlob => ({
  sha: sha(c),
  ext,
  bytes,
  width: 100,
  height: 150,
});
const slot = (assetType: AssetType, rank: number, b: PlanBlob | null, extra: Partial<PlanSlot> = {}): PlanSlot => ({
  assetType,
  rank,
  chosenBy: 'auto',
  locked: false,
  blob: b,
  ...extra,
});
const settings: PublishSettings = {
  style: 'both',
  movieNfo: false,
  extrafanartFolder: false,
  overwriteForeignNfo: true,
  cleanupUnknownImages: false,
  actorImages: true,
};
const p = (rel: string) => path.join(FOLDER, rel);
const file = (c: string, bytes = 1000): DiskEntry => ({ kind: 'file', size: bytes, mtimeMs: 5, sha: sha(c) });
let nextId = 1;
const ledger = (rel: string, c: string, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id: nextId++,
  itemId: 1,
  path: p(rel),
  role: 'art',
  assetType: 'poster',
  rank: 0,
  origin: 'published',
  sha256: sha(c),
  bytes: 1000,
  mtime: 5,
  ...extra,
});

function input(over: Partial<ItemPlanInput> = {}): ItemPlanInput {
  return {
    item: {
      id: 1,
      title: 'Alien',
      year: 1979,
      tmdbId: null,
      imdbId: null,
      folder: FOLDER,
      basename: BASE,
      layout: 'own-folder',
    },
    slots: [],
    fields: {},
    actors: [],
    ledger: [],
    disk: new Map(),
    folderExists: true,
    folderImages: [],
    siblings: [],
    settings,
    automated: false,
    ...over,
  };
}

/** `op rel why` lines: the plan as a person reads it. */
function lines(ops: PlanOp[]): string[] {
  return ops.map((o) => {
    if (o.op === 'error') return `error ${o.rel ?? o.path ?? ''}: ${o.reason}`;
    if (o.op === 'write' || o.op === 'link') {
      const from = o.op === 'link' ? ` <- ${path.relative(FOLDER, o.from)}` : '';
      return `${o.op} ${o.rel}${from} ${o.why}${o.displace?.recycle ? ` [recycle ${o.displace.reason}]` : ''}`;
    }
    if (o.op === 'keep') return `keep ${o.rel} ${o.why}${o.ledger !== 'none' ? ` (${o.ledger})` : ''}`;
    if (o.op === 'recycle')
      return `recycle ${o.rel} ${o.reason}${o.after.length ? ` after ${o.after.map((a) => path.relative(FOLDER, a)).join(',')}` : ''}`;
    return `forget ${o.rel}`;
  });
}

const plan = (over: Partial<ItemPlanInput> = {}) => planItem(input(over));

describe('publish planner: naming styles and layouts', () => {
  const slots = [
    slot('poster', 0, blob('a')),
    slot('fanart', 0, blob('b')),
    slot('fanart', 1, blob('c')),
    slot('clearlogo', 0, blob('d', 'png')),
  ];

  it.each([
    [
      'both, own folder: basename form plus hardlinked folder twins',
      { slots },
      [
        'write Alien (1979)-clearlogo.png new',
        'link clearlogo.png <- Alien (1979)-clearlogo.png new',
        'write Alien (1979)-fanart.jpg new',
        'link fanart.jpg <- Alien (1979)-fanart.jpg new',
        'write Alien (1979)-fanart1.jpg new',
        'link fanart1.jpg <- Alien (1979)-fanart1.jpg new',
        'write Alien (1979)-poster.jpg new',
        'link poster.jpg <- Alien (1979)-poster.jpg new',
      ],
    ],
    [
      'basename style',
      { slots: slots.slice(0, 2), settings: { ...settings, style: 'basename' as const } },
      ['write Alien (1979)-fanart.jpg new', 'write Alien (1979)-poster.jpg new'],
    ],
    [
      'folder style',
      { slots: slots.slice(0, 2), settings: { ...settings, style: 'folder' as const } },
      ['write fanart.jpg new', 'write poster.jpg new'],
    ],
    [
      'shared folder forces the basename form',
      { slots: slots.slice(0, 1), item: { ...input().item, layout: 'shared-folder' as const } },
      ['write Alien (1979)-poster.jpg new'],
    ],
    [
      'two items claiming one own folder: basename form only',
      { slots: slots.slice(0, 1), siblings: [{ id: 2, basename: 'Aliens (1986)' }] },
      ['write Alien (1979)-poster.jpg new'],
    ],
    [
      'disc structure: folder form in the movie folder',
      { slots: slots.slice(0, 2), item: { ...input().item, layout: 'disc' as const, basename: 'BDMV' } },
      ['write fanart.jpg new', 'write poster.jpg new'],
    ],
    [
      'extra fanart also into extrafanart/',
      { slots: slots.slice(1, 3), settings: { ...settings, extrafanartFolder: true } },
      [
        'write Alien (1979)-fanart.jpg new',
        'link fanart.jpg <- Alien (1979)-fanart.jpg new',
        'write Alien (1979)-fanart1.jpg new',
        'link fanart1.jpg <- Alien (1979)-fanart1.jpg new',
        'link extrafanart/fanart1.jpg <- Alien (1979)-fanart1.jpg new',
      ],
    ],
    [
      'extension follows the real format',
      { slots: [slot('poster', 0, blob('a', 'webp'))], settings: { ...settings, style: 'basename' as const } },
      ['write Alien (1979)-poster.webp new'],
    ],
  ])('%s', (_name, over, expected) => {
    expect(lines(plan(over).ops)).toEqual(expected);
  });
});

describe('publish planner: what is already on disk', () => {
  const poster = [slot('poster', 0, blob('a'))];
  const basename = { ...settings, style: 'basename' as const };
  const rel = 'Alien (1979)-poster.jpg';

  it.each<[string, Partial<ItemPlanInput>, string[]]>([
    [
      'identical and ours: kept',
      { ledger: [ledger(rel, 'a')], disk: new Map([[p(rel), file('a')]]) },
      [`keep ${rel} identical`],
    ],
    ['identical, no ledger row: adopted', { disk: new Map([[p(rel), file('a')]]) }, [`keep ${rel} identical (adopt)`]],
    [
      'ours, earlier choice: replaced',
      { ledger: [ledger(rel, 'z')], disk: new Map([[p(rel), file('z')]]) },
      [`write ${rel} changed`],
    ],
    [
      'ours but modified on disk: old one recycled first',
      { ledger: [ledger(rel, 'z')], disk: new Map([[p(rel), file('y', 999)]]) },
      [`write ${rel} modified [recycle modified]`],
    ],
    ['ours and gone: written back', { ledger: [ledger(rel, 'a')] }, [`write ${rel} missing`]],
    [
      'a file we did not write: left alone with an error',
      { disk: new Map([[p(rel), file('u')]]) },
      [
        `error ${rel}: ${rel} is a file Posterity did not write; it was left alone (move it away, or turn on publish.cleanupUnknownImages)`,
      ],
    ],
    [
      'a file we did not write, with cleanup on: recycled then replaced',
      { disk: new Map([[p(rel), file('u')]]), settings: { ...basename, cleanupUnknownImages: true } },
      [`write ${rel} replace-foreign [recycle unknown-image]`],
    ],
    [
      'a folder in the way',
      { disk: new Map([[p(rel), { kind: 'dir', size: 0, mtimeMs: 0, sha: null }]]) },
      [`error ${rel}: A folder is in the way at ${p(rel)}; it was left alone`],
    ],
    [
      'a file another movie published',
      { ledger: [ledger(rel, 'a', { itemId: 9 })], disk: new Map([[p(rel), file('a')]]) },
      [`error ${rel}: ${rel} belongs to another movie (item 9); it was left alone`],
    ],
  ])('%s', (_name, over, expected) => {
    expect(lines(plan({ slots: poster, settings: basename, ...over }).ops)).toEqual(expected);
  });

  it('relinks a lost primary from its surviving folder twin (Radarr removed the basename file)', () => {
    const out = plan({
      slots: poster,
      ledger: [ledger(rel, 'a'), ledger('poster.jpg', 'a')],
      disk: new Map([[p('poster.jpg'), file('a')]]),
    });
    expect(lines(out.ops)).toEqual([`link ${rel} <- poster.jpg missing`, 'keep poster.jpg identical']);
  });
});

describe('publish planner: originals, stale files and locks', () => {
  const basename = { ...settings, style: 'basename' as const };
  const rel = 'Alien (1979)-poster.jpg';

  it('replaces an original at the same name by the new choice, via the recycle bin', () => {
    const out = plan({
      slots: [slot('poster', 0, blob('a'), { chosenBy: 'user' })],
      settings: basename,
      ledger: [ledger(rel, 'o', { origin: 'original' })],
      disk: new Map([[p(rel), file('o')]]),
    });
    expect(lines(out.ops)).toEqual([`write ${rel} replace-original [recycle replaced-original]`]);
  });

  it('recycles an original under another name once the new choice is written', () => {
    const out = plan({
      slots: [slot('poster', 0, blob('a'), { chosenBy: 'auto' })],
      settings: basename,
      ledger: [ledger('poster.png', 'o', { origin: 'original' })],
      disk: new Map([[p('poster.png'), file('o')]]),
    });
    expect(lines(out.ops)).toEqual([`write ${rel} new`, `recycle poster.png replaced-original after ${rel}`]);
  });

  it('keeps an original the slot still chooses and publishes it under the Kodi name', () => {
    const out = plan({
      slots: [slot('poster', 0, blob('o'), { chosenBy: 'original' })],
      ledger: [ledger('poster.jpg', 'o', { origin: 'original' })],
      disk: new Map([[p('poster.jpg'), file('o')]]),
    });
    expect(lines(out.ops)).toEqual([`link ${rel} <- poster.jpg new`, 'keep poster.jpg identical']);
  });

  it('recycles stale files (type removed, rank dropped) and forgets ones already gone', () => {
    const out = plan({
      slots: [slot('fanart', 0, blob('b'))],
      settings: basename,
      ledger: [
        ledger('Alien (1979)-fanart.jpg', 'b', { assetType: 'fanart' }),
        ledger('Alien (1979)-fanart1.jpg', 'c', { assetType: 'fanart', rank: 1 }),
        ledger(rel, 'a'),
        ledger('Alien (1979)-banner.jpg', 'e', { assetType: 'banner' }),
      ],
      disk: new Map([
        [p('Alien (1979)-fanart.jpg'), file('b')],
        [p('Alien (1979)-fanart1.jpg'), file('c')],
        [p(rel), file('a')],
      ]),
    });
    expect(lines(out.ops)).toEqual([
      'keep Alien (1979)-fanart.jpg identical',
      'recycle Alien (1979)-fanart1.jpg stale',
      `recycle ${rel} stale`,
      'forget Alien (1979)-banner.jpg',
    ]);
  });

  it('keeps the files of a slot that is chosen but not downloaded yet', () => {
    const out = plan({
      slots: [slot('poster', 0, null)],
      settings: basename,
      ledger: [ledger(rel, 'a')],
      disk: new Map([[p(rel), file('a')]]),
    });
    expect(lines(out.ops)).toEqual([`keep ${rel} pending`]);
    expect(out.warnings[0]!.reason).toMatch(/not downloaded yet/);
  });

  describe('locked slots under automated publishing', () => {
    const locked = [slot('poster', 0, blob('a'), { chosenBy: 'user', locked: true })];
    it.each<[string, Partial<ItemPlanInput>, boolean, string[]]>([
      ['a missing file is restored', { ledger: [ledger(rel, 'a')] }, true, [`write ${rel} missing`]],
      [
        'a different file of ours is left alone',
        { ledger: [ledger(rel, 'z')], disk: new Map([[p(rel), file('z')]]) },
        true,
        [`keep ${rel} locked`],
      ],
      [
        '…but a person publishing replaces it',
        { ledger: [ledger(rel, 'z')], disk: new Map([[p(rel), file('z')]]) },
        false,
        [`write ${rel} changed`],
      ],
      [
        'an original is not replaced',
        { ledger: [ledger(rel, 'o', { origin: 'original' })], disk: new Map([[p(rel), file('o')]]) },
        true,
        [`keep ${rel} locked`],
      ],
      [
        'a stale file of the locked slot stays',
        {
          ledger: [ledger('Alien (1979)-poster.png', 'z')],
          disk: new Map([[p('Alien (1979)-poster.png'), file('z')]]),
        },
        true,
        [`write ${rel} new`, 'keep Alien (1979)-poster.png locked'],
      ],
    ])('%s', (_name, over, automated, expected) => {
      expect(lines(plan({ slots: locked, settings: basename, automated, ...over }).ops)).toEqual(expected);
    });
  });
});

describe('publish planner: NFO, actors and bad input', () => {
  const item = { ...input().item, tmdbId: 348, imdbId: 'tt0078748' };
  const fields = {
    title: 'Alien',
    cast: [{ name: 'Sigourney Weaver', role: 'Ripley', order: 0, profileUrl: 'http://img/sw.jpg', tmdbId: 10205 }],
  };

  it('writes the NFO after the art and actors, and movie.nfo when asked', () => {
    const out = plan({
      item,
      fields,
      slots: [slot('poster', 0, blob('a'))],
      actors: [{ name: 'Sigourney Weaver', blob: blob('s') }],
      settings: { ...settings, movieNfo: true },
    });
    expect(lines(out.ops)).toEqual([
      'write Alien (1979)-poster.jpg new',
      'link poster.jpg <- Alien (1979)-poster.jpg new',
      'write .actors/Sigourney_Weaver.jpg new',
      'write Alien (1979).nfo new',
      'write movie.nfo new',
    ]);
    const nfo = out.ops.find((o) => o.op === 'write' && o.rel === 'Alien (1979).nfo');
    expect(nfo && nfo.op === 'write' && nfo.source.kind === 'text' ? nfo.source.text : '').toContain(
      '<thumb>.actors/Sigourney_Weaver.jpg</thumb>',
    );
  });

  it('writes no NFO for an item that is not identified (it would stop Kodi scraping)', () => {
    expect(lines(plan({ fields }).ops)).toEqual([]);
  });

  it.each([
    [true, 'write Alien (1979).nfo replace-foreign [recycle foreign-nfo]'],
    [false, 'keep Alien (1979).nfo foreign-nfo'],
  ])('a foreign NFO with overwriteForeignNfo=%s', (overwrite, expected) => {
    const out = plan({
      item,
      fields: { title: 'Alien' },
      settings: { ...settings, overwriteForeignNfo: overwrite },
      disk: new Map([[p('Alien (1979).nfo'), file('n')]]),
    });
    expect(lines(out.ops)).toEqual([expected]);
  });

  it('keeps the user’s own actor pictures', () => {
    const out = plan({
      item,
      fields,
      actors: [{ name: 'Sigourney Weaver', blob: blob('s') }],
      disk: new Map([[p('.actors/Sigourney_Weaver.jpg'), file('u')]]),
    });
    expect(lines(out.ops).slice(0, 1)).toEqual(['keep .actors/Sigourney_Weaver.jpg foreign-actor']);
  });

  it('writes no actor pictures into a shared folder', () => {
    const out = plan({
      item: { ...item, layout: 'shared-folder' },
      fields,
      actors: [{ name: 'Sigourney Weaver', blob: blob('s') }],
    });
    expect(lines(out.ops)).toEqual(['write Alien (1979).nfo new']);
  });

  it('recycles unknown images only when cleanup is on, and never in a shared folder', () => {
    const over = {
      folderImages: ['old-cover.jpg', 'extrafanart/x.jpg'],
      settings: { ...settings, cleanupUnknownImages: true },
    };
    expect(lines(plan(over).ops)).toEqual([
      'recycle old-cover.jpg unknown-image',
      'recycle extrafanart/x.jpg unknown-image',
    ]);
    expect(lines(plan({ ...over, siblings: [{ id: 2, basename: 'Other' }] }).ops)).toEqual([]);
    expect(lines(plan({ folderImages: over.folderImages }).ops)).toEqual([]);
  });

  it('refuses a folder that is gone', () => {
    expect(lines(plan({ folderExists: false, slots: [slot('poster', 0, blob('a'))] }).ops)).toEqual([
      `error ${FOLDER}: The movie folder ${FOLDER} is gone or cannot be read`,
    ]);
  });

  it('refuses two movies with the same basename in one folder', () => {
    const out = plan({ slots: [slot('poster', 0, blob('a'))], siblings: [{ id: 7, basename: 'alien (1979)' }] });
    expect(out.ops).toHaveLength(1);
    expect(out.ops[0]).toMatchObject({ op: 'error', reason: expect.stringMatching(/item 7.*same file name/) });
  });
});

describe('publish planner snapshot', () => {
  it('plans a full movie', () => {
    const out = plan({
      item: { ...input().item, tmdbId: 348, imdbId: 'tt0078748' },
      fields: {
        title: 'Alien',
        year: 1979,
        plot: 'In space no one can hear you scream.',
        genres: ['Horror', 'Science Fiction'],
      },
      slots: [
        slot('poster', 0, blob('a')),
        slot('fanart', 0, blob('b')),
        slot('fanart', 1, blob('c')),
        slot('clearlogo', 0, blob('d', 'png')),
        slot('discart', 0, null),
      ],
      ledger: [ledger('Alien (1979)-poster.jpg', 'a'), ledger('Alien (1979)-banner.jpg', 'e', { assetType: 'banner' })],
      disk: new Map([
        [p('Alien (1979)-poster.jpg'), file('a')],
        [p('Alien (1979)-banner.jpg'), file('e')],
        [p('Alien (1979).nfo'), file('n')],
      ]),
    });
    expect({ ops: lines(out.ops), warnings: out.warnings }).toMatchSnapshot();
  });
});
