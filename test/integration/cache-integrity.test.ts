import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { isWholeWebp } from '../../main/core/cache/shards.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { filesUnder, makeItem, picture } from './cache-fixtures.ts';

/*
 * The cache's invariant, from the user's side (the CLI on a real data folder, real SQLite, real
 * images): every available image is whole, and verify says so about each image on its own.
 */

const DAY = 24 * 60 * 60 * 1000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  return main(['--data-dir', t.dataDir, ...argv], { io, env: {} }).then((code) => ({ code, stdout, stderr }));
}

let t: TestEngine;
afterEach(async () => t.cleanup());

const cache = () => t.engine.services.cache;
const assetPath = (s: string, ext = 'jpg') =>
  path.join(t.dataDir, 'cache', 'assets', s.slice(0, 2), s.slice(2, 4), `${s}.${ext}`);

/** A local image imported into the cache (provenance: that file), optionally as an item's poster. */
async function imported(name: string, options: { width?: number; height?: number; itemId?: number } = {}) {
  const bytes = await picture(name, options.width ?? 700, options.height ?? 1050);
  const file = path.join(t.tempDir('in'), `${name}.jpg`);
  writeFileSync(file, bytes);
  const blob = options.itemId
    ? (await cache().importUserImage({ itemId: options.itemId, type: 'poster', file })).blob
    : await cache().ingestFile(file, { provider: 'upload' });
  return { blob, file, bytes };
}

describe('recycle restore of a cache image', () => {
  it('refuses a recycled copy that was damaged in the bin and changes nothing', async () => {
    t = await makeTestEngine();
    const { blob } = await imported('bin-poster');
    await cache().gc({ dryRun: false });
    t.clock.advance(31 * DAY);
    await cache().gc({ dryRun: false });
    const [entry] = await cache().recycle.list();
    expect(entry).toMatchObject({ kind: 'blob' });
    truncateSync(entry!.stored_path, 0); // damaged while in the bin
    await t.engine.close();

    const r = await run('recycle', 'restore', String(entry!.id));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The recycled copy of ${assetPath(blob.sha256)} is damaged`);
    expect(r.stderr).toContain('it stays in the bin');
    expect(existsSync(assetPath(blob.sha256))).toBe(false);
    expect(existsSync(entry!.stored_path)).toBe(true);
    const shown = await run('--json', 'cache', 'show', blob.sha256.slice(0, 12));
    expect(JSON.parse(shown.stdout)).toMatchObject({ sha256: blob.sha256, state: 'recycled' });
    const list = await run('--json', 'recycle', 'list');
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: entry!.id, restoredAt: null }]);
  });
});

describe('cache verify, image by image', () => {
  it('reports a folder and a symlink loop at blobs’ paths and repairs them through the quarantine', async () => {
    t = await makeTestEngine();
    const a = await imported('obstacle-a');
    const b = await imported('obstacle-b');
    await imported('healthy');
    unlinkSync(assetPath(a.blob.sha256));
    mkdirSync(path.join(assetPath(a.blob.sha256), 'inside'), { recursive: true });
    unlinkSync(assetPath(b.blob.sha256));
    symlinkSync(assetPath(b.blob.sha256), assetPath(b.blob.sha256)); // a loop
    await t.engine.close();

    const report = await run('cache', 'verify');
    expect(report.code).toBe(1);
    expect(report.stdout).toContain('Checked 3 images: 1 ok, 2 with problems.');
    expect(report.stdout).toContain(`${assetPath(a.blob.sha256)} is a folder, not the image`);
    expect(report.stdout).toContain(`${assetPath(b.blob.sha256)} is a symbolic link, not the image`);
    expect(report.stdout).not.toContain('Stray');

    const repaired = await run('--json', 'cache', 'verify', '--repair');
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout).problems).toMatchObject([
      { outcome: 'repaired', detail: expect.stringContaining('restored from the upload file') },
      { outcome: 'repaired', detail: expect.stringContaining('restored from the upload file') },
    ]);
    for (const x of [a, b]) {
      expect(lstatSync(assetPath(x.blob.sha256)).isFile()).toBe(true);
      expect(sha(readFileSync(assetPath(x.blob.sha256)))).toBe(x.blob.sha256);
    }
    // Nothing was deleted: the folder (with its content) and the link are in the quarantine.
    const quarantine = path.join(t.dataDir, 'cache', 'quarantine');
    expect(existsSync(path.join(quarantine, `${a.blob.sha256}.jpg`, 'inside'))).toBe(true);
    expect(lstatSync(path.join(quarantine, `${b.blob.sha256}.jpg`)).isSymbolicLink()).toBe(true);
    expect((await run('cache', 'verify')).code).toBe(0);
  });

  it('repairs an image imported from an SVG by rendering the SVG again', async () => {
    t = await makeTestEngine();
    const svg = path.join(t.tempDir('in'), 'logo.svg');
    writeFileSync(svg, await picture('integrity-logo', 800, 310, 'svg'));
    const blob = await cache().ingestFile(svg, { provider: 'upload' });
    expect(blob.ext).toBe('png');
    writeFileSync(assetPath(blob.sha256, 'png'), 'rotten');
    await t.engine.close();

    const r = await run('--json', 'cache', 'verify', '--repair');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).problems).toMatchObject([
      { problem: 'corrupt', outcome: 'repaired', detail: `restored from the upload file ${svg}` },
    ]);
    expect(sha(readFileSync(assetPath(blob.sha256, 'png')))).toBe(blob.sha256);
    const shown = await run('--json', 'cache', 'show', blob.sha256.slice(0, 12));
    expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'available' });
  });

  it('finds damaged thumbnails and rebuilds them with --repair', async () => {
    t = await makeTestEngine();
    const { blob } = await imported('thumb-damage', { width: 900, height: 1350 });
    const thumb = path.join(
      t.dataDir,
      'cache',
      'thumbs',
      blob.sha256.slice(0, 2),
      blob.sha256.slice(2, 4),
      `${blob.sha256}-thumb.webp`,
    );
    expect(await isWholeWebp(thumb)).toBe(true);
    truncateSync(thumb, 100);
    await t.engine.close();

    const r = await run('cache', 'verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Thumbnails missing: 0, damaged: 1');
    const repaired = await run('--json', 'cache', 'verify', '--repair');
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ thumbnailsDamaged: 1, thumbnailsRebuilt: 1 });
    expect(await isWholeWebp(thumb)).toBe(true);
  });

  it('keeps reporting (exit 1) a slot whose image could not be repaired', async () => {
    t = await makeTestEngine();
    const itemId = await makeItem(t);
    const { blob, file } = await imported('lost-poster', { itemId });
    unlinkSync(file);
    writeFileSync(assetPath(blob.sha256), 'rotten');
    await t.engine.close();
    const repair = await run('cache', 'verify', '--repair');
    expect(repair.code).toBe(1);
    expect(repair.stdout).toContain('unrecoverable');

    const r = await run('cache', 'verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Checked 1 images: 0 ok, 1 with problems.');
    expect(r.stdout).toMatch(/quarantined by an earlier verify.*\(used by item \d+ poster\)/);
    const json = JSON.parse((await run('--json', 'cache', 'verify')).stdout);
    expect(json.problems).toMatchObject([
      { sha256: blob.sha256, outcome: 'reported', usedBy: [{ itemId, type: 'poster', rank: 0 }] },
    ]);
  });

  it('reports stray files under the cache folders and moves them to the quarantine with --repair', async () => {
    t = await makeTestEngine();
    const { blob } = await imported('among-strays');
    const assets = path.join(t.dataDir, 'cache', 'assets');
    writeFileSync(path.join(assets, '00orphan.jpg'), 'x');
    mkdirSync(path.join(assets, 'ab', 'cd'), { recursive: true });
    writeFileSync(path.join(assets, 'ab', 'cd', 'evil.html'), '<script>');
    // A right-looking name in the wrong shard is stray too.
    const shard = path.dirname(assetPath(blob.sha256));
    writeFileSync(path.join(assets, 'ab', 'cd', path.basename(assetPath(blob.sha256))), 'misplaced');
    mkdirSync(path.join(t.dataDir, 'cache', 'previews', 'notes'), { recursive: true });
    await t.engine.close();

    const r = await run('cache', 'verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Stray files under the cache: 4');
    expect(r.stdout).toContain('assets/00orphan.jpg');
    expect(r.stdout).toContain('assets/ab/cd/evil.html');
    expect(r.stdout).toContain('previews/notes (a folder)');

    const repaired = await run('--json', 'cache', 'verify', '--repair');
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout).strays).toMatchObject({ found: 4, moved: 4 });
    expect(filesUnder(assets)).toEqual([path.relative(assets, assetPath(blob.sha256))]);
    expect(existsSync(shard)).toBe(true);
    const stray = path.join(t.dataDir, 'cache', 'quarantine', 'stray');
    expect(readFileSync(path.join(stray, 'assets', 'ab', 'cd', 'evil.html'), 'utf8')).toBe('<script>');
    expect(existsSync(path.join(stray, 'assets', '00orphan.jpg'))).toBe(true);
    expect((await run('cache', 'verify')).code).toBe(0);
  });
});

describe('cache import and show on the command line', () => {
  it('exits 1 (not 2) for a refused file, and names folders and FIFOs for what they are', async () => {
    t = await makeTestEngine();
    const itemId = await makeItem(t);
    const dir = t.tempDir('in');
    writeFileSync(path.join(dir, 'notes.jpg'), '{"not":"an image"}');
    const fifo = path.join(dir, 'pipe.jpg');
    execFileSync('mkfifo', [fifo]);
    let bomb = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect id="a0" width="1" height="1"/>';
    for (let i = 1; i < 12; i++) bomb += `<g id="a${i}">${`<use href="#a${i - 1}"/>`.repeat(10)}</g>`;
    writeFileSync(path.join(dir, 'bomb.svg'), `${bomb}<use href="#a11"/></svg>`);
    await t.engine.close();

    const refused = await run('cache', 'import', String(itemId), 'poster', path.join(dir, 'notes.jpg'));
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/notes\.jpg was refused: a JSON document/);
    const json = await run('--json', 'cache', 'import', String(itemId), 'poster', path.join(dir, 'notes.jpg'));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'bad_request', field: 'file' } });
    expect(await run('cache', 'import', String(itemId), 'poster', dir)).toMatchObject({
      code: 1,
      stderr: `posterity: ${dir} is a folder, not an image file\n`,
    });
    expect(await run('cache', 'import', String(itemId), 'poster', fifo)).toMatchObject({
      code: 1,
      stderr: `posterity: ${fifo} is not a regular file\n`,
    });
    expect(await run('cache', 'import', String(itemId), 'clearlogo', path.join(dir, 'bomb.svg'))).toMatchObject({
      code: 1,
      stderr: `posterity: ${path.join(dir, 'bomb.svg')} was refused: the SVG references too many elements (an SVG bomb?)\n`,
    });
    // A wrong command line is still exit 2.
    expect((await run('cache', 'import', String(itemId), 'wallpaper', dir)).code).toBe(2);
  });

  it('shows an image by the short hash the CLI prints, and says when a prefix is ambiguous', async () => {
    t = await makeTestEngine();
    const { blob } = await imported('short-hash');
    // A second row sharing the first 10 characters (no real image pair does; the lookup is what is tested).
    const twin = `${blob.sha256.slice(0, 10)}${blob.sha256.slice(10).replace(/./g, (c) => (c === '0' ? '1' : '0'))}`;
    await t.engine.services.db
      .insertInto('blobs')
      .values({ ...blob, sha256: twin })
      .execute();
    await t.engine.close();

    const short = await run('cache', 'show', blob.sha256.slice(0, 12));
    expect(short.code).toBe(0);
    expect(short.stdout).toContain(`${blob.sha256}  available`);
    const ambiguous = await run('cache', 'show', blob.sha256.slice(0, 8));
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`${blob.sha256.slice(0, 8)} matches several cached images`);
    expect((await run('cache', 'show', blob.sha256.slice(0, 7))).code).toBe(2);
    expect((await run('cache', 'show', 'ffffffffffff')).stderr).toContain('No cached image ffffffffffff');
  });
});

describe('status', () => {
  it('shows the thumbnails’ disk use beside the per-type use', async () => {
    t = await makeTestEngine();
    await imported('status-thumb', { width: 900, height: 1350 });
    await t.engine.close();
    const json = JSON.parse((await run('--json', 'status')).stdout);
    expect(json.cache.thumbnails).toMatchObject({ files: 1, bytes: expect.any(Number) });
    expect(json.cache.thumbnails.bytes).toBeGreaterThan(0);
    const human = await run('status');
    expect(human.stdout).toMatch(/ {2}thumbnails {3}1 files, /);
  });
});
