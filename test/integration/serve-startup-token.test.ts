import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../main/cli/commands/serve.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

/*
 * One API token per data folder: each start reuses the one in `<data>/server-token` when it is
 * well-formed and private, so open tabs, bookmarks and a daemon's clients keep working.
 */

const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
let t: TestEngine;
const apps: RunningApp[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await t?.cleanup();
});

async function start(): Promise<RunningApp> {
  const app = await startApp(t.engine, quiet, { port: 0 });
  apps.push(app);
  return app;
}

const tokenFile = () => t.engine.services.paths.token;
const fileToken = () => readFileSync(tokenFile(), 'utf8').trim();
const mode = () => statSync(tokenFile()).mode & 0o777;

async function status(app: RunningApp, token: string): Promise<number> {
  const res = await fetch(`${app.server.url}/api/status`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: '{}',
  });
  await res.body?.cancel();
  return res.status;
}

describe('the server token of a data folder', () => {
  it('is created once (0600) and reused by the next start', async () => {
    t = await makeTestEngine();
    const first = await start();
    expect(fileToken()).toBe(first.token);
    expect(mode()).toBe(0o600);
    await first.close();

    const second = await start();
    expect(second.token).toBe(first.token);
    expect(second.url).toBe(`${second.server.url}/#token=${first.token}`);
    expect(await status(second, first.token)).toBe(200);
    expect(mode()).toBe(0o600);
  });

  it('is shared by a second server beside the first (a serve next to a daemon)', async () => {
    t = await makeTestEngine();
    const daemonLike = await start();
    const beside = await start();
    expect(beside.token).toBe(daemonLike.token);
    expect(fileToken()).toBe(daemonLike.token);
    expect(await status(daemonLike, fileToken())).toBe(200);
  });

  it('is replaced (0600) when the file is readable by others', async () => {
    t = await makeTestEngine();
    const first = await start();
    await first.close();
    chmodSync(tokenFile(), 0o644);
    const second = await start();
    expect(second.token).not.toBe(first.token);
    expect(fileToken()).toBe(second.token);
    expect(mode()).toBe(0o600);
    expect(await status(second, first.token)).toBe(401);
  });

  it('is replaced when the file holds no well-formed token', async () => {
    t = await makeTestEngine();
    writeFileSync(tokenFile(), 'short\n', { mode: 0o600 });
    const app = await start();
    expect(app.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fileToken()).toBe(app.token);
    expect(mode()).toBe(0o600);
    await app.close();
    expect((await start()).token).toBe(app.token);
  });
});
