import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPicture } from '../fakes/images.ts';
import { makeTestEngine, type TestEngine, runCli } from '../helpers/engine.ts';
import { addCandidate, seedItem, startImageHost, type ImageHost } from './select-fixtures.ts';

let host: ImageHost;
let t: TestEngine;
let itemId: number;
let poster: number;
let fanart: number;

/** Runs the CLI against the test engine, capturing its output. */
const run = (...argv: string[]) => runCli(t.engine, argv);

beforeAll(async () => {
  host = await startImageHost();
  t = await makeTestEngine();
  const s = t.engine.services;
  ({ itemId } = await seedItem(s, t.tempDir('lib'), { title: 'Cli Movie' }));
  const bytes = await renderPicture('poster.t.abcabcabcabc', 1000, 1500, 'jpeg', 85);
  poster = await addCandidate(s, itemId, {
    asset_type: 'poster',
    url: host.put('cli-p.jpg', bytes),
    width: 1000,
    height: 1500,
    language: 'en',
  });
  fanart = await addCandidate(s, itemId, {
    asset_type: 'fanart',
    url: host.put('cli-f.jpg', bytes),
    width: 1920,
    height: 1080,
  });
});
afterAll(async () => {
  await t?.cleanup();
  await host?.close();
});

describe('artwork commands', () => {
  it('shows clusters with scores and breakdowns', async () => {
    const r = await run('artwork', String(itemId));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Poster \(poster\): keep 1/);
    expect(r.stdout).toMatch(new RegExp(`${poster}\\s+\\d+\\.\\d\\s+L50 R20 A10 C7.5 P5`));
    const json = JSON.parse((await run('--json', 'artwork', String(itemId), '--type', 'fanart')).stdout);
    expect(json.types).toHaveLength(1);
    expect(json.types[0].clusters[0].best.id).toBe(fanart);
  });

  it('selects, locks, unlocks, blocks and auto-selects', async () => {
    const sel = await run('select', String(itemId), 'poster', String(poster));
    expect(sel.code).toBe(0);
    expect(sel.stdout).toMatch(/rank 0: candidate \d+ \(tmdb\) 1000×1500 \[user, locked\]/);
    expect((await run('unlock', String(itemId), 'poster')).stdout).toMatch(/1 slot unlocked/);
    expect((await run('lock', String(itemId), 'poster', '--rank', '0')).stdout).toMatch(/1 slot locked/);
    expect((await run('block', String(fanart))).stdout).toMatch(/blocked/);
    const auto = await run('autoselect', '--all');
    expect(auto.code).toBe(0);
    expect(auto.stdout).toMatch(/1 item looked at, 0 choices changed/);
    expect((await run('unblock', String(fanart))).code).toBe(0);
    const again = await run('--json', 'autoselect', String(itemId));
    expect(JSON.parse(again.stdout).changes).toEqual([{ itemId, type: 'fanart', rank: 0, from: null, to: fanart }]);
  });

  it("edits and locks fields, reading values by the field's kind", async () => {
    expect((await run('field', 'set', String(itemId), 'title', '1984')).stdout).toMatch(/title = "1984" \(locked\)/);
    expect((await run('field', 'set', String(itemId), 'genres', 'Drama, War')).stdout).toMatch(
      /genres = \["Drama","War"\]/,
    );
    expect((await run('field', 'set', String(itemId), 'year', '1984')).stdout).toMatch(/year = 1984/);
    expect((await run('unlock-field', String(itemId), 'title')).stdout).toMatch(/title unlocked/);
    expect((await run('lock-field', String(itemId), 'plot')).stdout).toMatch(/plot locked/);
  });

  it('says what is wrong with exit codes 2 and 1', async () => {
    const badType = await run('select', String(itemId), 'thumbnail', String(poster));
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/unknown artwork type "thumbnail"/);
    expect((await run('autoselect')).code).toBe(2);
    expect((await run('field', 'set', String(itemId), 'year', 'soon')).code).toBe(2);
    const unknownField = await run('lock-field', String(itemId), 'colour');
    expect(unknownField.code).toBe(2);
    expect(unknownField.stderr).toMatch(/Unknown field "colour"/);
    const noItem = await run('artwork', '9999');
    expect(noItem.code).toBe(1);
    expect(noItem.stderr).toMatch(/no item 9999/);
  });
});
