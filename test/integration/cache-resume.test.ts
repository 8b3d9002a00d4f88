import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResult } from '../../shared/api/system.ts';
import { main } from '../../main/cli/index.ts';
import { fixedClock } from '../../main/core/clock.ts';
import { createEngine } from '../../main/core/engine.ts';
import { createLogger } from '../../main/core/log.ts';
import { SPILL_BYTES } from '../../main/core/cache/files.ts';
import { bytes, filesUnder, startImageServer, type ImageServer } from './cache-fixtures.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

let server: ImageServer;
let poster: Buffer;
let root: string;
beforeAll(async () => {
  // Noise does not compress: a ~20 MB PNG, big enough to stream into a temp file (small bodies
  // stay in memory until they are validated, so a kill leaves nothing at all).
  const side = 2600;
  poster = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  expect(poster.length).toBeGreaterThan(2 * SPILL_BYTES);
  server = await startImageServer();
  root = mkdtempSync(path.join(os.tmpdir(), 'posterity-resume-'));
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts a child that downloads `url` into `dataDir` while the server sends half the image and
 * stalls, and kills it (SIGKILL) once part of the body is on disk.
 */
async function killMidDownload(dataDir: string, route: string): Promise<string> {
  let halfSent = false;
  server.route(route, (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': poster.length });
    res.write(poster.subarray(0, poster.length >> 1), () => (halfSent = true));
  });
  const url = server.url(route);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'cache-resume-child.ts'), dataDir, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    const tmp = path.join(dataDir, 'cache', 'tmp');
    const partialBytes = () => filesUnder(tmp).reduce((n, f) => n + statSync(path.join(tmp, f)).size, 0);
    await until(() => halfSent && partialBytes() > SPILL_BYTES, `the child to write part of the download (${stderr})`);
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return url;
}

/** The real `posterity` command in its own process, as a user runs it after the crash. */
function runCli(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, '..', '..', 'main', 'cli', 'main.ts'), ...argv],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, POSTERITY_DATA_DIR: '' },
    },
  );
  let stdout = '';
  let stderr = '';
  cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => cli.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function statusOf(dataDir: string): Promise<StatusResult['cache']> {
  let stdout = '';
  const io = { stdout: { write: (x: string) => (stdout += x) }, stderr: { write: () => true } };
  expect(await main(['--data-dir', dataDir, '--json', 'status'], { io, env: {} })).toBe(0);
  return (JSON.parse(stdout) as StatusResult).cache;
}

describe('a download killed mid-body', () => {
  it('leaves no file under assets, stays PENDING, and a new engine resumes it', async () => {
    const dataDir = path.join(root, 'data');
    const url = await killMidDownload(dataDir, '/poster.jpg');

    // What the crash left: a temp file, no asset, the download PENDING.
    expect(filesUnder(path.join(dataDir, 'cache', 'tmp'))).toHaveLength(1);
    expect(filesUnder(path.join(dataDir, 'cache', 'assets'))).toEqual([]);

    server.route('/poster.jpg', bytes(poster));
    const engine = await createEngine({
      dataDir,
      env: {},
      clock: fixedClock(Date.UTC(2026, 0, 16)),
      logger: createLogger({ consoleLevel: 'silent' }),
    });
    try {
      const before = await engine.services.db.selectFrom('downloads').selectAll().executeTakeFirstOrThrow();
      expect(before).toMatchObject({ url, state: 'pending', attempts: 1 });
      const report = await engine.services.cache.resumePending();
      expect(report).toEqual({ resumed: 1, available: 1, failed: 0, tempFilesRemoved: 1 });
      const after = await engine.services.db.selectFrom('downloads').selectAll().executeTakeFirstOrThrow();
      expect(after).toMatchObject({ state: 'available', attempts: 2, error: null });
      const file = await engine.services.cache.pathOf(after.blob_sha!);
      expect(file).not.toBeNull();
      expect(statSync(file!).size).toBe(poster.length);
      expect(filesUnder(path.join(dataDir, 'cache', 'tmp'))).toEqual([]);
      expect(filesUnder(path.join(dataDir, 'cache', 'assets'))).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });
});

describe('a one-shot command after the kill', () => {
  it('finishes the PENDING download first (cache verify in a new process), and status shows the counts', async () => {
    const dataDir = path.join(root, 'one-shot');
    await killMidDownload(dataDir, '/one-shot.jpg');
    server.route('/one-shot.jpg', bytes(poster));

    // status in this process (quicker); the command that resumes in a process of its own.
    expect((await statusOf(dataDir)).downloads).toEqual({ pending: 1, failed: 0 });

    const verify = await runCli(['--data-dir', dataDir, 'cache', 'verify']);
    expect(verify.stderr).toContain('Finishing downloads left pending by an earlier run');
    expect(verify.stderr).toContain('Finished 1 pending downloads: 1 available, 0 failed.');
    expect(verify.stdout).toContain('Checked 1 images: 1 ok, 0 with problems.');
    expect(verify.code).toBe(0);
    expect(filesUnder(path.join(dataDir, 'cache', 'tmp'))).toEqual([]);
    const [asset] = filesUnder(path.join(dataDir, 'cache', 'assets'));
    expect(statSync(path.join(dataDir, 'cache', 'assets', asset!)).size).toBe(poster.length);

    expect(await statusOf(dataDir)).toMatchObject({ blobs: 1, downloads: { pending: 0, failed: 0 } });
  }, 20_000);
});

describe('leftover temp files', () => {
  it('are removed when their process is dead, and kept while it lives', async () => {
    const dataDir = path.join(root, 'leftovers');
    const tmp = path.join(dataDir, 'cache', 'tmp');
    mkdirSync(tmp, { recursive: true });
    // pid 2^22 + 1 is above Linux's pid_max: never a live process.
    writeFileSync(path.join(tmp, `${2 ** 22 + 1}-dead.part`), 'partial');
    writeFileSync(path.join(tmp, `${process.ppid}-live.part`), 'partial');
    writeFileSync(path.join(tmp, 'not-ours.txt'), 'left alone');
    const engine = await createEngine({ dataDir, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
    try {
      expect((await engine.services.cache.resumePending()).tempFilesRemoved).toBe(1);
      expect(filesUnder(tmp)).toEqual([`${process.ppid}-live.part`, 'not-ours.txt']);
    } finally {
      await engine.close();
    }
  });
});
