import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { makeItem, picture } from './cache-fixtures.ts';

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
});
