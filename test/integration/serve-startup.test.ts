import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/*
 * `posterity serve` and `posterity daemon` as child processes on a real data folder: the HTTP
 * door listens (and says where) before the background jobs start, and a port in use fails
 * before any worker starts, with one plain message.
 */

const BIN = path.resolve('bin/posterity.mjs');
const WORKERS_STARTED = 'Job workers and scheduler started';

let root: string;
let dataDir: string;
let blocker: Server | undefined;
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'posterity-serve-startup-'));
  dataDir = path.join(root, 'data');
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
  rmSync(root, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    env: { ...process.env, POSTERITY_DATA_DIR: '', POSTERITY_TMDB_API_KEY: '', POSTERITY_FANART_API_KEY: '' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    /** The first line on stdout (the address), or a failure when the process ends first. */
    firstLine: () =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
        };
        child.stdout.on('data', check);
        check();
        void exited.then((code) => reject(new Error(`exited (${code}) before printing: ${stderr}`)));
      }),
  };
}

const logText = () => {
  const file = path.join(dataDir, 'logs', 'posterity.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

async function waitFor(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function takenPort(): Promise<number> {
  const server = createServer();
  blocker = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

describe('the daemon banner', () => {
  it('shows the webhook URLs with the secret masked, and how to see it whole', async () => {
    const p = run(['daemon', '--port', '0']);
    await waitFor('the banner', () => p.out().includes('webhook info --reveal'));
    expect(p.out()).toMatch(/^Radarr webhook: http:\/\/127\.0\.0\.1:\d+\/webhooks\/radarr\?secret=••••\S{4}$/m);
    const info = JSON.parse(
      execFileSync(process.execPath, [BIN, '--data-dir', dataDir, '--json', 'webhook', 'info', '--reveal'], {
        encoding: 'utf8',
      }),
    ) as { secret: string };
    expect(info.secret.length).toBeGreaterThan(8);
    expect(p.out()).not.toContain(info.secret);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe.each([
  ['serve', ['serve']],
  ['daemon', ['daemon']],
])('%s start-up', (_name, command) => {
  it('listens and prints its address before the background jobs start', async () => {
    const p = run(['--json', ...command, '--port', '0']);
    const info = JSON.parse(await p.firstLine()) as { apiUrl: string; token: string };
    const res = await fetch(`${info.apiUrl}/api/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.token}` },
      body: '{}',
    });
    expect(res.status).toBe(200);
    await waitFor('the workers to start', () => logText().includes(WORKERS_STARTED));
    const log = logText();
    expect(log.indexOf('HTTP door listening')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('HTTP door listening')).toBeLessThan(log.indexOf(WORKERS_STARTED));
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('fails fast on a port in use: one plain message, exit 1, no worker started', async () => {
    const port = await takenPort();
    const p = run([...command, '--port', String(port)]);
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^posterity: Cannot listen on 127\.0\.0\.1:\d+: the port is in use/)]);
    expect(lines[0]).toContain('--port');
    expect(p.out()).toBe('');
    expect(logText()).not.toContain(WORKERS_STARTED);
    expect(existsSync(path.join(dataDir, 'jobs.lock'))).toBe(false);
  });
});
