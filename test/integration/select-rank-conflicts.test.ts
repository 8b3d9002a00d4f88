import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSlots } from '../../main/core/select/slots-repo.ts';
import { renderPicture } from '../fakes/images.ts';
import { makeTestEngine, type TestEngine, runCli } from '../helpers/engine.ts';
import { addCandidate, seedItem, startImageHost, type ImageHost } from './select-fixtures.ts';

let host: ImageHost;
let t: TestEngine;

/** Runs the CLI against the test engine, capturing its output. */
const run = (...argv: string[]) => runCli(t.engine, argv);

beforeAll(async () => {
  host = await startImageHost();
  t = await makeTestEngine();
});
afterAll(async () => {
  await t?.cleanup();
  await host?.close();
});

async function itemWithPosters(title: string) {
  const s = t.engine.services;
  const { itemId } = await seedItem(s, t.tempDir(title), { title });
  const add = async (name: string, seed: string) =>
    addCandidate(s, itemId, {
      asset_type: 'poster',
      url: host.put(`${title}-${name}.jpg`, await renderPicture(seed, 1000, 1500, 'jpeg', 85)),
      width: 1000,
      height: 1500,
      language: 'en',
    });
  return { itemId, a: await add('a', 'poster.t.abcabcabcabc'), b: await add('b', 'poster.n.defdefdefdef') };
}

describe('choosing a candidate that another rank already holds', () => {
  it('refuses when the other rank is locked, and leaves both ranks as they were', async () => {
    const { itemId, a, b } = await itemWithPosters('Locked Rank');
    const client = t.client;
    await client.call('artwork-select', { itemId, type: 'poster', candidateId: a });
    await expect(
      client.call('artwork-select', { itemId, type: 'poster', candidateId: a, rank: 3 }),
    ).rejects.toMatchObject({
      code: 'conflict',
      field: 'candidateId',
      message: `Candidate ${a} is already your poster #0; choose another candidate for #3, or unlock #0 first`,
    });
    const slots = await getSlots(t.engine.services.db, itemId, 'poster');
    expect(slots.map((x) => [x.rank, x.candidateId, x.chosenBy, x.locked])).toEqual([[0, a, 'user', true]]);

    // The CLI says so and fails.
    const cli = await run('select', String(itemId), 'poster', String(a), '--rank', '3');
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`Candidate ${a} is already your poster #0`);

    // Another candidate for #3 is fine; after unlocking #0 the move is allowed.
    await client.call('artwork-select', { itemId, type: 'poster', candidateId: b, rank: 3 });
    await client.call('artwork-unlock', { itemId, type: 'poster', rank: 0 });
    await client.call('artwork-select', { itemId, type: 'poster', candidateId: a, rank: 2 });
    const after = await getSlots(t.engine.services.db, itemId, 'poster');
    expect(after.map((x) => [x.rank, x.candidateId])).toEqual([
      [2, a],
      [3, b],
    ]);
  });
});
