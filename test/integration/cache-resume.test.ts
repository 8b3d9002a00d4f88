import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('a download killed mid-body', () => {
  it('leaves no file under assets, stays PENDING, and a new engine resumes it', async () => {
    const dataDir = path.join(root, 'data');
    // First the server sends half the image and then stalls, holding the connection open.
    let halfSent = false;
    server.route('/poster.jpg', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': poster.length });
      res.write(poster.subarray(0, poster.length >> 1), () => (halfSent = true));
    });
    const url = server.url('/poster.jpg');
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
