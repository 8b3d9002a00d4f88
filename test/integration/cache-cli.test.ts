import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { createEngine } from '../../main/core/engine.ts';
import { createLogger } from '../../main/core/log.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { bytes, makeItem, picture, startImageServer } from './cache-fixtures.ts';

function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  return main(argv, { io, env: {} }).then((code) => ({ code, stdout, stderr }));
}

let t: TestEngine;
afterEach(async () => t.cleanup());

/** A data dir with one movie, released by the test engine so the CLI can open it. */
async function dataDirWithItem(): Promise<{ dir: string; itemId: number; file: string }> {
  t = await makeTestEngine();
  const itemId = await makeItem(t);
  const file = path.join(t.tempDir('in'), 'my poster.jpg');
  writeFileSync(file, await picture('cli-poster', 700, 1050));
  await t.engine.close();
  return { dir: t.dataDir, itemId, file };
}

describe('posterity cache / recycle', () => {
  it('imports a user image, verifies, collects and lists the recycle bin', async () => {
    const { dir, itemId, file } = await dataDirWithItem();
    const imported = await run(['--data-dir', dir, 'cache', 'import', String(itemId), 'poster', file]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(new RegExp(`Item ${itemId} poster is now 700×1050 JPG .*chosen by you and locked`));

    const verify = await run(['--data-dir', dir, '--json', 'cache', 'verify']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ checked: 1, ok: 1, problems: [] });

    const gc = await run(['--data-dir', dir, 'cache', 'gc', '--dry-run']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toContain('1 images in use');
    expect(gc.stdout).toContain('Would move 0 unused images');

    const list = await run(['--data-dir', dir, 'recycle', 'list']);
    expect(list.stdout).toContain('The recycle bin is empty.');
    const downloads = await run(['--data-dir', dir, 'cache', 'downloads']);
    expect(downloads.stdout).toContain('No downloads.');
  });

  it('reports a damaged cache with exit code 1', async () => {
    const { dir, itemId, file } = await dataDirWithItem();
    const imported = await run(['--data-dir', dir, '--json', 'cache', 'import', String(itemId), 'poster', file]);
    const sha = JSON.parse(imported.stdout).blob.sha256 as string;
    writeFileSync(path.join(dir, 'cache', 'assets', sha.slice(0, 2), sha.slice(2, 4), `${sha}.jpg`), 'rotten');
    const r = await run(['--data-dir', dir, 'cache', 'verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('corrupt');
    expect(r.stdout).toContain('cache verify --repair');
    // Repair finds the original upload and puts it back.
    const repaired = await run(['--data-dir', dir, 'cache', 'verify', '--repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('repaired');
  });

  it('refuses wrong usage with exit code 2 and failed operations with 1', async () => {
    const { dir, file } = await dataDirWithItem();
    expect((await run(['--data-dir', dir, 'cache', 'import', 'x', 'poster', file])).code).toBe(2);
    expect((await run(['--data-dir', dir, 'cache', 'import', '1', 'wallpaper', file])).code).toBe(2);
    expect((await run(['--data-dir', dir, 'cache', 'import', '1', 'poster'])).code).toBe(2);
    expect((await run(['--data-dir', dir, 'cache', 'downloads', '--state', 'nope'])).code).toBe(2);
    const missing = await run(['--data-dir', dir, 'recycle', 'restore', '99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No recycle bin entry 99');
  });

  it('finishes downloads left pending before a command that uses the cache, but not in a dry run', async () => {
    const { dir } = await dataDirWithItem();
    const server = await startImageServer({ '/left.jpg': bytes(await picture('cli-left', 600, 900)) });
    try {
      // What a killed process leaves: the row PENDING (the kill itself is tested in cache-resume).
      const engine = await createEngine({ dataDir: dir, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
      await engine.services.db
        .insertInto('downloads')
        .values({
          url: server.url('/left.jpg'),
          area: 'assets',
          provider: 'tmdb',
          candidate_id: null,
          state: 'pending',
          attempts: 1,
          error: null,
          blob_sha: null,
          requested_at: 0,
          finished_at: null,
        })
        .execute();
      await engine.close();

      const dry = await run(['--data-dir', dir, 'publish', '--all', '--dry-run']);
      expect(dry.stderr).not.toContain('pending');
      expect(server.hits.get('/left.jpg')).toBeUndefined();
      const status = await run(['--data-dir', dir, 'status']);
      expect(status.stdout).toMatch(/Downloads: +1 pending, 0 failed/);

      const verify = await run(['--data-dir', dir, 'cache', 'verify']);
      expect(verify.stderr).toContain('Finished 1 pending downloads: 1 available, 0 failed.');
      expect(verify.stdout).toContain('Checked 1 images: 1 ok');
      expect(server.hits.get('/left.jpg')).toBe(1);
      // Nothing pending any more: the next command goes straight to work.
      const again = await run(['--data-dir', dir, 'cache', 'verify']);
      expect(again.stderr).toBe('');
    } finally {
      await server.close();
    }
  });
});
