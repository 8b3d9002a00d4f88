import { afterEach, describe, expect, it } from 'vitest';
import { DOORS, openDoor, seedMovies, type DoorFixture } from '../helpers/doors.ts';

/** The jobs API through every door (workers not started, so queued jobs stay put). */
describe.each(DOORS)('jobs API through the %s door', (door) => {
  let f: DoorFixture;
  afterEach(async () => f?.cleanup());

  const withItems = (n: number) => seedMovies(f, n);

  it('queues user work ahead of automatic work and lists it, newest first', async () => {
    f = await openDoor(door);
    expect(await f.api.call('jobs-list', {})).toEqual([]);
    const { libraryId, ids } = await withItems(3);
    const scan = await f.api.call('jobs-enqueue', { kind: 'scan-library', libraryId });
    const enrich = await f.api.call('jobs-enqueue', { kind: 'enrich-item', itemIds: ids, force: true, chain: true });
    expect(scan.jobIds).toHaveLength(1);
    expect(enrich.jobIds).toHaveLength(3);
    const list = await f.api.call('jobs-list', {});
    expect(list.map((j) => j.id)).toEqual([...enrich.jobIds].reverse().concat(scan.jobIds));
    const job = list.find((j) => j.itemId === ids[0])!;
    expect(job).toMatchObject({
      kind: 'enrich-item',
      state: 'queued',
      itemTitle: 'Movie 0',
      priority: 100,
      attempts: 0,
      payload: { chain: true, force: true, reason: 'user' },
    });
    // Asking again joins the queued jobs instead of doubling them.
    expect((await f.api.call('jobs-enqueue', { kind: 'enrich-item', itemIds: ids })).jobIds).toEqual(enrich.jobIds);
    expect(await f.api.call('jobs-list', { kind: 'enrich-item', itemId: ids[1]! })).toHaveLength(1);
    expect(await f.api.call('jobs-list', { state: 'done' })).toEqual([]);
    expect(await f.api.call('jobs-list', { limit: 2 })).toHaveLength(2);
  });

  it('queues one scan per folder for selected items, and verify or gc without targets', async () => {
    f = await openDoor(door);
    const { ids } = await withItems(2);
    const scans = await f.api.call('jobs-enqueue', { kind: 'scan-folder', itemIds: ids });
    expect(scans.jobIds).toHaveLength(2);
    const verify = await f.api.call('jobs-enqueue', { kind: 'verify', itemIds: [ids[0]!] });
    const gc = await f.api.call('jobs-enqueue', { kind: 'gc' });
    const list = await f.api.call('jobs-list', {});
    expect(list.find((j) => j.id === verify.jobIds[0])!.payload).toMatchObject({ itemIds: [ids[0]] });
    expect(list.find((j) => j.id === gc.jobIds[0])!.kind).toBe('gc');
  });

  it('refuses unknown items, missing targets and unknown kinds', async () => {
    f = await openDoor(door);
    await expect(f.api.call('jobs-enqueue', { kind: 'enrich-item', itemIds: [999] })).rejects.toMatchObject({
      code: 'not_found',
      field: 'itemIds',
    });
    await expect(f.api.call('jobs-enqueue', { kind: 'publish-item' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(f.api.call('jobs-enqueue', { kind: 'explode' } as never)).rejects.toMatchObject({
      code: 'bad_request',
      field: 'kind',
    });
    await expect(f.api.call('jobs-enqueue', { kind: 'scan-library', libraryId: 42 })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await f.api.call('jobs-list', {})).toEqual([]);
  });

  it('cancels a queued job once, and says so for a finished or unknown one', async () => {
    f = await openDoor(door);
    const { ids } = await withItems(1);
    const [id] = (await f.api.call('jobs-enqueue', { kind: 'publish-item', itemIds: ids })).jobIds;
    const cancelled = await f.api.call('jobs-cancel', { id: id! });
    expect(cancelled).toMatchObject({ id, state: 'cancelled' });
    await expect(f.api.call('jobs-cancel', { id: id! })).rejects.toMatchObject({ code: 'conflict' });
    await expect(f.api.call('jobs-cancel', { id: 9999 })).rejects.toMatchObject({ code: 'not_found' });
    // A new request for the same item is a new job, the cancelled one stays in the history.
    const [again] = (await f.api.call('jobs-enqueue', { kind: 'publish-item', itemIds: ids })).jobIds;
    expect(again).not.toBe(id);
  });

  it('shows the webhook secret masked unless asked, with the URLs to paste into Radarr and Sonarr', async () => {
    f = await openDoor(door);
    const masked = await f.api.call('webhook-info', {});
    const full = await f.api.call('webhook-info', { reveal: true });
    expect(masked.secret).toMatch(/^••••.{4}$/);
    expect(full.secret.length).toBeGreaterThanOrEqual(24);
    expect(full.secret.endsWith(masked.secret.slice(-4))).toBe(true);
    expect(full.radarrUrl).toMatch(/\/webhooks\/radarr\?secret=/);
    expect(full.radarrUrl).toContain(encodeURIComponent(full.secret));
    expect(full.sonarrUrl).toMatch(/\/webhooks\/sonarr\?secret=/);
    expect(masked.radarrUrl).not.toContain(full.secret);
    expect(JSON.stringify(await f.api.call('config-list', {}))).not.toContain(full.secret);
  });
});
