import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, newToken, type RunningServer } from '../../main/server/http-server.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

let t: TestEngine;
let server: RunningServer;
const token = newToken();

async function start() {
  t = await makeTestEngine();
  server = await startHttpServer({
    dispatch: t.engine.dispatch,
    events: t.engine.services.events,
    log: t.engine.services.log,
    token,
    port: 0,
  });
}

afterEach(async () => {
  await server?.close();
  await t?.cleanup();
});

describe('the HTTP door', () => {
  it('answers POST /api/status with the token and refuses it without', async () => {
    await start();
    const ok = await request(`${server.url}/api/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(ok.statusCode).toBe(200);
    expect(((await ok.body.json()) as { result: { libraries: number } }).result.libraries).toBe(0);

    const none = await request(`${server.url}/api/status`, { method: 'POST', body: '{}' });
    expect(none.statusCode).toBe(401);
    expect(await none.body.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });

    const wrong = await request(`${server.url}/api/status`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: '{}',
    });
    expect(wrong.statusCode).toBe(401);
    await wrong.body.dump();

    // The right token in the URL is for images and the event stream (GET) only: never for a call.
    const inUrl = await request(`${server.url}/api/status?token=${token}`, { method: 'POST', body: '{}' });
    expect(inUrl.statusCode).toBe(401);
    await inUrl.body.dump();
  });

  it('gives structured errors and never a stack trace', async () => {
    await start();
    const bad = await request(`${server.url}/api/config-get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{"key": 5}',
    });
    expect(bad.statusCode).toBe(400);
    const body = JSON.stringify(await bad.body.json());
    expect(JSON.parse(body)).toEqual({ error: { code: 'bad_request', message: expect.any(String), field: 'key' } });
    expect(body).not.toMatch(/at .*\.ts:\d+/);

    const notJson = await request(`${server.url}/api/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{oops',
    });
    expect(notJson.statusCode).toBe(400);
    expect(((await notJson.body.json()) as { error: { code: string } }).error.code).toBe('bad_request');

    const unknown = await request(`${server.url}/api/drop-tables`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(unknown.statusCode).toBe(404);
    expect(((await unknown.body.json()) as { error: { code: string } }).error.code).toBe('unknown_method');
  });

  it('refuses requests whose Host is not loopback (DNS rebinding)', async () => {
    await start();
    const res = await request(`${server.url}/api/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, host: 'evil.example:80' },
      body: '{}',
    });
    expect(res.statusCode).toBe(421);
    await res.body.dump();
  });

  it('refuses to listen on a non-loopback address', async () => {
    t = await makeTestEngine();
    await expect(
      startHttpServer({
        dispatch: t.engine.dispatch,
        events: t.engine.services.events,
        log: t.engine.services.log,
        token,
        host: '0.0.0.0',
        port: 0,
      }),
    ).rejects.toMatchObject({ code: 'bad_request', field: 'host' });
  });

  it('streams engine events to an authorised listener', async () => {
    await start();
    const res = await request(`${server.url}/api/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    const received = new Promise<string>((resolve) => {
      let text = '';
      res.body.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('settings-changed')) resolve(text);
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    await t.client.call('config-set', { key: 'ui.theme', value: 'dark' });
    expect(await received).toContain('"keys":["ui.theme"]');
    res.body.destroy();
  });
});
