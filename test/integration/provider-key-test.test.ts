import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import { DOORS, openDoor, type DoorFixture } from '../helpers/doors.ts';

const WRONG_TMDB = 'typed-wrong-tmdb-key-7f3a';
const WRONG_FANART = 'typed-wrong-fanart-key-9c1e';

/**
 * Trying a key before saving it: `providers-test` with `key` asks the fake TMDB / Fanart.tv over
 * real HTTP with the typed key, from an engine on a real SQLite file, through each door.
 */
describe.each(DOORS)('providers-test with a typed key, through the %s door', (door) => {
  let fake: FakeProviders;
  let f: DoorFixture;
  beforeAll(async () => {
    fake = await startFakeProviders({ seed: 7, movieCount: 5 });
  });
  afterAll(async () => fake?.close());
  beforeEach(async () => {
    f = await openDoor(door);
    await f.api.call('config-set', { key: 'tmdb.baseUrl', value: fake.tmdbApiUrl });
    await f.api.call('config-set', { key: 'fanart.baseUrl', value: fake.fanartApiUrl });
    fake.faults.clear();
  });
  afterEach(async () => f?.cleanup());

  const cachedAnswers = async () =>
    (await f.engine.services.db.selectFrom('provider_cache').select('key').execute()).length;

  it('refuses a wrong typed key with the service’s words, even when the saved key works, and keeps the saved key', async () => {
    await f.api.call('config-set', { key: 'tmdb.apiKey', value: fake.tmdbApiKey });
    // The saved key's good answer is now in the response cache (keyed without the key)…
    expect(await f.api.call('providers-test', { provider: 'tmdb' })).toMatchObject({ ok: true });
    const before = fake.stats.route('tmdb:/configuration');

    // …and must not pass for the typed key.
    const typed = await f.api.call('providers-test', { provider: 'tmdb', key: WRONG_TMDB });
    expect(typed.ok).toBe(false);
    expect(typed.message).toMatch(
      /^TMDB rejected this key \(TMDB said: "Invalid API key.*Check that it was copied whole\.$/,
    );
    expect(typed.message).not.toContain(WRONG_TMDB);
    expect(fake.stats.route('tmdb:/configuration')).toBe(before + 1);

    const saved = await f.api.call('config-get', { key: 'tmdb.apiKey' });
    expect(saved).toMatchObject({ source: 'stored', value: `••••${fake.tmdbApiKey.slice(-4)}` });
    expect(f.engine.services.settings.get('tmdb.apiKey')).toBe(fake.tmdbApiKey);
    expect(await f.api.call('providers-test', { provider: 'tmdb' })).toMatchObject({ ok: true });
  });

  it('accepts a right typed key before anything is saved, and keeps neither the key nor the answer', async () => {
    const unsaved = await f.api.call('providers-test', { provider: 'tmdb' });
    expect(unsaved).toMatchObject({ ok: false, message: expect.stringMatching(/No TMDB API key is set/) });

    // Pasted with the stray whitespace a copy brings along.
    const typed = await f.api.call('providers-test', { provider: 'tmdb', key: `  ${fake.tmdbApiKey}\n` });
    expect(typed).toEqual({ provider: 'tmdb', ok: true, message: 'TMDB accepted the key.' });

    expect(await f.api.call('config-get', { key: 'tmdb.apiKey' })).toMatchObject({ value: '', source: 'default' });
    expect((await f.api.call('status', {})).providers.tmdb.configured).toBe(false);
    expect(await cachedAnswers()).toBe(0);
    // Still nothing saved to fall back on.
    expect(await f.api.call('providers-test', { provider: 'tmdb' })).toMatchObject({ ok: false });
  });

  it('tries a typed Fanart.tv key the same way', async () => {
    await f.api.call('config-set', { key: 'fanart.apiKey', value: fake.fanartApiKey });
    const wrong = await f.api.call('providers-test', { provider: 'fanart', key: WRONG_FANART });
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/^Fanart\.tv rejected this key \(Fanart\.tv said: "Invalid project key/);
    expect(wrong.message).not.toContain(WRONG_FANART);

    await f.api.call('config-set', { key: 'fanart.apiKey', value: '' });
    const right = await f.api.call('providers-test', { provider: 'fanart', key: fake.fanartApiKey });
    expect(right).toEqual({ provider: 'fanart', ok: true, message: 'Fanart.tv accepted the key.' });
    expect(f.engine.services.settings.get('fanart.apiKey')).toBe('');
  });

  it('refuses an empty or oversized key without quoting it or asking the service', async () => {
    const before = fake.stats.route('tmdb:/configuration');
    const blank = await f.api.call('providers-test', { provider: 'tmdb', key: ' \n ' }).catch((e: unknown) => e);
    expect(blank).toBeInstanceOf(ApiError);
    expect(blank).toMatchObject({ code: 'bad_request', field: 'key' });

    const huge = 'k'.repeat(5000);
    const long = await f.api.call('providers-test', { provider: 'tmdb', key: huge }).catch((e: unknown) => e);
    expect(long).toMatchObject({ code: 'bad_request', field: 'key' });
    expect((long as ApiError).message).not.toContain('kkkkkkkkkk');
    expect(fake.stats.route('tmdb:/configuration')).toBe(before);
  });

  it('keeps a typed key out of the log when the service fails', async () => {
    await f.api.call('config-set', { key: 'providers.maxRetries', value: 0 });
    fake.faults.add({ host: 'fanart', kind: 'status', status: 503 });
    const res = await f.api.call('providers-test', { provider: 'fanart', key: WRONG_FANART });
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/Fanart.tv is unavailable \(HTTP 503\)/);
    const log = readFileSync(path.join(f.dataDir, 'logs', 'posterity.log'), 'utf8');
    expect(log).toContain('Giving up after HTTP 503'); // the request was logged…
    expect(log).not.toContain(WRONG_FANART); // …without the key
  });
});

describe('providers-test against a service that quotes the request back', () => {
  let server: http.Server;
  let f: DoorFixture;
  beforeAll(async () => {
    // Some services put the URL they were asked in their error text.
    server = http.createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status_code: 7, status_message: `Invalid API key in ${req.url}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    f = await openDoor('in-process');
    const { port } = server.address() as AddressInfo;
    await f.api.call('config-set', { key: 'tmdb.baseUrl', value: `http://127.0.0.1:${port}/3` });
  });
  afterAll(async () => {
    await f?.cleanup();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('does not echo the typed key in the message', async () => {
    const res = await f.api.call('providers-test', { provider: 'tmdb', key: WRONG_TMDB });
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/Invalid API key in \/3\/configuration\?api_key=\*\*\*/);
    expect(res.message).not.toContain(WRONG_TMDB);
  });
});
