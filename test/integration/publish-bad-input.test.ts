import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../main/core/cache/layout.ts';
import { makePublishFixture, sha256, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture | undefined;
const mounts: string[] = [];
afterEach(async () => {
  await f?.cleanup().catch(() => undefined);
  f = undefined;
  for (const m of mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
    rmSync(m, { recursive: true, force: true });
  }
});

/** A small tmpfs of its own: a real full disk, a real read-only filesystem, a real second filesystem. */
function tryTmpfs(sizeKb: number): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}
const canMount = (() => {
  const probe = tryTmpfs(64);
  if (!probe) return false;
  execFileSync('umount', [probe]);
  mounts.splice(mounts.indexOf(probe), 1);
  rmSync(probe, { recursive: true, force: true });
  return true;
})();

/** Every file left in a folder tree, including hidden temp files. */
function everything(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
const temps = (dir: string) => everything(dir).filter((n) => path.basename(n).startsWith('.posterity-'));

/** A photo-like picture that does not compress: big on disk. */
async function noisy(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

describe('bad input while publishing', () => {
  it('a movie folder that is gone: a clear error for that item, the others published', async () => {
    f = await makePublishFixture();
    const gone = await f.addMovie({ folder: 'Gone (2001)', basename: 'Gone (2001)' });
    const ok = await f.addMovie({ folder: 'Here (2002)', basename: 'Here (2002)' });
    await f.choose(gone.id, 'poster', await f.image(1));
    await f.choose(ok.id, 'poster', await f.image(2));
    rmSync(gone.folder, { recursive: true });
    const r = await f.client.call('publish', { itemIds: [gone.id, ok.id] });
    expect(r.errors).toEqual([{ itemId: gone.id, path: gone.folder, reason: expect.stringMatching(/is gone/) }]);
    expect(existsSync(gone.folder)).toBe(false); // never recreated
    expect(f.files(ok.folder)).toEqual(['Here (2002)-poster.jpg', 'poster.jpg']);
  });

  it('an emptied library root (a disk not mounted): nothing is written for movies whose video is gone', async () => {
    f = await makePublishFixture();
    // Loose movies live in the library root itself, which an unmounted disk leaves empty but present.
    const loose = await f.addMovie({ folder: '', basename: 'Loose (1999)', layout: 'shared-folder' });
    const own = await f.addMovie({ folder: 'Own (2000)', basename: 'Own (2000)' });
    await f.choose(loose.id, 'poster', await f.image(5));
    await f.choose(own.id, 'poster', await f.image(6));
    expect((await f.client.call('publish', { all: true })).errors).toEqual([]);
    rmSync(f.root, { recursive: true });
    mkdirSync(f.root);

    const rebuilt = await f.client.call('rebuild', {});
    expect(readdirSync(f.root)).toEqual([]);
    expect(rebuilt.written).toBe(0);
    expect(rebuilt.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/^The video of Loose \(1999\) is not at .*Loose \(1999\)\.mkv \(moved, deleted, or its disk is not mounted\); nothing was written for it/),
      expect.stringMatching(/The movie folder .*Own \(2000\) is gone/),
    ]);
    const checked = await f.client.call('verify', {});
    expect(checked).toMatchObject({ checked: 2, clean: 0 });
    expect(checked.errors.map((e) => e.reason).join('\n')).toMatch(/Loose \(1999\).*it was not checked/);
  });

  it('a folder in the way of a file: that file is refused, the rest is published', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Dir (2003)', basename: 'Dir (2003)' });
    mkdirSync(path.join(m.folder, 'Dir (2003)-poster.jpg'));
    writeFileSync(path.join(m.folder, 'Dir (2003)-poster.jpg', 'keep.txt'), 'mine');
    await f.choose(m.id, 'poster', await f.image(3));
    await f.choose(m.id, 'fanart', await f.image(4));
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.reason).toMatch(/A folder is in the way/);
    expect(everything(m.folder)).toEqual([
      'Dir (2003)-fanart.jpg',
      'Dir (2003)-poster.jpg/keep.txt',
      'Dir (2003).mkv',
      'fanart.jpg',
      'poster.jpg',
    ]);
  });

  it('a name the filesystem rejects: a per-file error, no temp file left', async () => {
    f = await makePublishFixture();
    const long = 'L'.repeat(243); // fits as a video name, too long with "-clearlogo.png"
    const m = await f.addMovie({ folder: 'Long', basename: long });
    await f.choose(m.id, 'poster', await f.image(5));
    await f.choose(m.id, 'clearlogo', await f.image(6, { format: 'png' }));
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]!.reason).toMatch(/name is too long/);
    expect(temps(m.folder)).toEqual([]);
    expect(f.files(m.folder)).toContain('poster.jpg');
  });

  it.skipIf(!canMount)(
    'a full disk mid-publish: a clear error, nothing half-written, the user’s files intact',
    async () => {
      const root = tryTmpfs(600)!;
      f = await makePublishFixture({ root });
      await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
      const m = await f.addMovie({ folder: 'Full (2004)', basename: 'Full (2004)' });
      writeFileSync(path.join(m.folder, 'notes.txt'), 'the user’s own file');
      const big = path.join(f.tempDir('big'), 'big.png');
      writeFileSync(big, await noisy(400, 400)); // ~480 KB: the first fits, the second does not
      const first = await f.s.cache.ingestFile(big, { provider: 'upload' });
      writeFileSync(big, await noisy(400, 400));
      const second = await f.s.cache.ingestFile(big, { provider: 'upload' });
      await f.choose(m.id, 'poster', first);
      await f.choose(m.id, 'fanart', second);
      const r = await f.client.call('publish', { itemIds: [m.id] });
      expect(r.errors.map((e) => e.reason).join('\n')).toMatch(/the disk is full/);
      expect(temps(m.folder)).toEqual([]);
      for (const rel of f.files(m.folder)) {
        if (rel.endsWith('.png')) expect([first.sha256, second.sha256]).toContain(f.sha(path.join(m.folder, rel)));
      }
      expect(f.files(m.folder)).toContain('notes.txt');
    },
  );

  it.skipIf(!canMount)('a read-only library: a clear error, nothing changed', async () => {
    const root = tryTmpfs(1024)!;
    f = await makePublishFixture({ root });
    const m = await f.addMovie({ folder: 'RO (2005)', basename: 'RO (2005)' });
    await f.choose(m.id, 'poster', await f.image(7));
    execFileSync('mount', ['-o', 'remount,ro', root]);
    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors.map((e) => e.reason).join('\n')).toMatch(/read-only/);
    expect(r.errors.some((e) => /stopped publishing this movie/.test(e.reason))).toBe(true);
    expect(f.files(m.folder)).toEqual([]);
  });

  it.skipIf(canMount || process.getuid?.() === 0)(
    'a read-only library folder (permissions): a clear error',
    async () => {
      f = await makePublishFixture();
      const m = await f.addMovie({ folder: 'RO (2005)', basename: 'RO (2005)' });
      await f.choose(m.id, 'poster', await f.image(7));
      chmodSync(m.folder, 0o555);
      try {
        const r = await f.client.call('publish', { itemIds: [m.id] });
        expect(r.errors.map((e) => e.reason).join('\n')).toMatch(/permission denied/);
        expect(f.files(m.folder)).toEqual([]);
      } finally {
        chmodSync(m.folder, 0o755);
      }
    },
  );

  it.skipIf(!canMount)('hardlink mode across filesystems falls back to a copy and says so', async () => {
    const root = tryTmpfs(2048)!;
    f = await makePublishFixture({ root });
    const m = await f.addMovie({ folder: 'X (2006)', basename: 'X (2006)' });
    const poster = await f.image(8);
    await f.choose(m.id, 'poster', poster);
    const r = await f.client.call('publish', { itemIds: [m.id], mode: 'hardlink' });
    expect(r.errors).toEqual([]);
    expect(r.notes).toEqual([
      'hardlink not possible (the cache and the library are on different filesystems); copied instead',
    ]);
    expect(f.sha(path.join(m.folder, 'X (2006)-poster.jpg'))).toBe(poster.sha256);
    // The folder twin is still a hardlink of the basename file (same filesystem).
    expect(statSync(path.join(m.folder, 'poster.jpg')).ino).toBe(
      statSync(path.join(m.folder, 'X (2006)-poster.jpg')).ino,
    );
  });

  it('a kill mid-publish leaves no partial file; the next publish cleans up and finishes', async () => {
    f = await makePublishFixture();
    await f.s.db.updateTable('libraries').set({ naming_style: 'basename' }).execute();
    const m = await f.addMovie({ folder: 'Killed (2007)', basename: 'Killed (2007)' });
    // A 48 MB blob seeded straight into the cache, so the copy takes a while.
    const bytes = randomBytes(48 * 1024 * 1024);
    const sha = sha256(bytes);
    const file = blobPath(f.s.paths, 'assets', sha, 'png');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    await f.s.db
      .insertInto('blobs')
      .values({
        sha256: sha,
        ext: 'png',
        mime: 'image/png',
        width: 4000,
        height: 4000,
        bytes: bytes.length,
        phash: null,
        created_at: 0,
        verified_at: 0,
        unreferenced_since: null,
      })
      .execute();
    await f.choose(m.id, 'poster', { sha256: sha } as never);
    const target = path.join(m.folder, 'Killed (2007)-poster.png');

    const cli = path.resolve(import.meta.dirname, '../../bin/posterity.mjs');
    const child = spawn(process.execPath, [cli, '--data-dir', f.dataDir, 'publish', String(m.id)], { stdio: 'ignore' });
    let sawTemp = false;
    const watcher = watch(m.folder, (_event, name) => {
      if (!sawTemp && name?.startsWith('.posterity-')) {
        sawTemp = true;
        child.kill('SIGKILL');
      }
    });
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    watcher.close();
    expect(sawTemp).toBe(true);
    expect(exit.signal).toBe('SIGKILL');
    // Either the rename never happened (no file) or it did (whole file): never a partial target.
    if (existsSync(target)) expect(statSync(target).size).toBe(bytes.length);
    else expect(temps(m.folder)).toHaveLength(1); // the killed copy, hidden and unnamed

    const r = await f.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    expect(temps(m.folder)).toEqual([]);
    expect(f.sha(target)).toBe(sha);
  }, 60_000);
});
