import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { DOORS, openDoor, type DoorFixture } from '../helpers/doors.ts';

describe.each(DOORS)('system API through the %s door', (door) => {
  let f: DoorFixture;
  afterEach(async () => f?.cleanup());

  it('reports status of an empty data dir', async () => {
    f = await openDoor(door);
    const status = await f.api.call('status', {});
    expect(status.dataDir).toBe(f.dataDir);
    expect(status.libraries).toBe(0);
    expect(status.items.total).toBe(0);
    expect(status.database.schemaVersion).toMatch(/^\d{4}_/);
  });

  it('stores a validated setting and reads it back', async () => {
    f = await openDoor(door);
    const set = await f.api.call('config-set', { key: 'languages', value: ['fr', 'en'] });
    expect(set.value).toEqual(['fr', 'en']);
    expect(set.source).toBe('stored');
    expect((await f.api.call('config-get', { key: 'languages' })).value).toEqual(['fr', 'en']);
  });

  it('refuses a setting value of the wrong type with a field-level error', async () => {
    f = await openDoor(door);
    const err = await f.api.call('config-set', { key: 'naming.style', value: 'sideways' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('bad_request');
    expect((err as ApiError).field).toBe('value');
    expect((await f.api.call('config-get', { key: 'naming.style' })).value).toBe('both');
  });

  it('refuses unknown settings and wrong parameter types', async () => {
    f = await openDoor(door);
    await expect(f.api.call('config-get', { key: 'no.such' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.api.call('config-get', { key: 42 } as never)).rejects.toMatchObject({ code: 'bad_request', field: 'key' });
    await expect(f.api.call('status', { extra: 1 } as never)).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('refuses unknown methods', async () => {
    f = await openDoor(door);
    await expect(f.api.call('no-such-method' as never, {} as never)).rejects.toMatchObject({ code: 'unknown_method' });
  });

  it('masks secrets and never returns them whole', async () => {
    f = await openDoor(door);
    await f.api.call('config-set', { key: 'tmdb.apiKey', value: 'supersecretkey1234' });
    const view = await f.api.call('config-get', { key: 'tmdb.apiKey' });
    expect(view.value).toBe('••••1234');
    const list = await f.api.call('config-list', {});
    expect(JSON.stringify(list)).not.toContain('supersecretkey');
  });
});
