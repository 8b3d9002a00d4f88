import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/* `webhook info` shows where this data folder's daemon listens, else the configured URLs. */

const BIN = path.resolve('bin/posterity.mjs');
const env = { ...process.env, POSTERITY_DATA_DIR: '' };
let root: string;
let dataDir: string;
const kills: Array<() => void> = [];

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'posterity-webhook-info-'));
  dataDir = path.join(root, 'data');
});

afterEach(() => {
  for (const kill of kills.splice(0)) kill();
  rmSync(root, { recursive: true, force: true });
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function startDaemon(...args: string[]) {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--json', 'daemon', '--port', '0', ...args], {
    env,
  });
  kills.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const info = new Promise<{ apiUrl: string; webhooks: { radarr: string; sonarr: string } }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    void exited.then((code) => reject(new Error(`daemon exited (${code})`)));
  });
  return { child, exited, info };
}

describe('webhook info', () => {
  it('shows the configured URLs, webhook.listen included, when no daemon runs', () => {
    expect(cli('config', 'set', 'webhook.listen', '127.0.0.2:8796').code).toBe(0);
    const r = cli('webhook', 'info');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Radarr: http:\/\/127\.0\.0\.2:8796\/webhooks\/radarr\?secret=/m);
    expect(r.out).toMatch(/^Sonarr: http:\/\/127\.0\.0\.2:8796\/webhooks\/sonarr\?secret=/m);
    expect(r.out).toContain('No daemon runs for this data folder');
  }, 60_000);

  it('shows the URLs where the running daemon listens, then the configured ones once it stopped', async () => {
    const daemon = startDaemon('--webhook-listen', '127.0.0.1:0');
    const { apiUrl, webhooks } = await daemon.info;
    const base = new URL(webhooks.radarr).origin;
    expect(base).not.toBe(apiUrl);

    const running = cli('--json', 'webhook', 'info', '--reveal');
    expect(running.code).toBe(0);
    const shown = JSON.parse(running.out) as Record<string, unknown>;
    expect(shown).toMatchObject({
      radarrUrl: webhooks.radarr,
      sonarrUrl: webhooks.sonarr,
      listening: true,
      source: 'daemon',
    });
    const text = cli('webhook', 'info');
    expect(text.out).toContain(`Radarr: ${base}/webhooks/radarr?secret=`);
    expect(text.out).toContain('listens at these URLs now');
    expect(text.out).not.toContain('run `posterity daemon`');

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const after = cli('webhook', 'info');
    expect(after.out).toContain('Radarr: http://127.0.0.1:8790/webhooks/radarr?secret=');
    expect(after.out).toContain('No daemon runs for this data folder');
  }, 60_000);
});
