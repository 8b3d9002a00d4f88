import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanSummary } from '../../shared/api/library.ts';
import { jpeg, makeTree, noisyJpeg, png, scanFixture, snapshotTree, type ScanFixture } from './scan-fixtures.ts';

const GB = 1_000_000_000;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('scan: bad input is reported per item, the scan finishes, nothing is written', () => {
  let f: ScanFixture;
  afterEach(async () => f?.cleanup());

  it('survives hostile names, links, loops, empty videos and odd files, and writes nothing', async () => {
    f = await scanFixture({
      'Good (2000)/Good.mkv': { size: GB },
      'Good (2000)/poster.jpg': await jpeg(300, 450, 31),
      'What If? (2013)/What If? (2013).mkv': { size: GB + 1 },
      'Léon: The Professional (1994)/Léon: The Professional.mkv': { size: GB + 2 },
      'Night\nShift (1999)/Night Shift.mkv': { size: GB + 3 },
      'Empty Promise (2010)/Empty Promise (2010).mkv': '',
      'Dangling (2004)/Dangling.mkv': { size: GB + 4 },
      'Pipe Dream (2005)/Pipe Dream.mkv': { size: GB + 5 },
      'Outside/.keep': '',
    });
    const root = f.root;
    // Not valid UTF-8: a Latin-1 "Café" folder with a movie in it, and a bad file name in a good folder.
    const bad = Buffer.concat([Buffer.from(`${root}/Caf`), Buffer.from([0xe9]), Buffer.from(' Society (2016)')]);
    mkdirSync(bad);
    closeSync(openSync(Buffer.concat([bad, Buffer.from('/Cafe.mkv')]), 'w'));
    closeSync(
      openSync(
        Buffer.concat([Buffer.from(`${root}/Good (2000)/fanart-`), Buffer.from([0xff]), Buffer.from('.jpg')]),
        'w',
      ),
    );
    // Broken links (to a file and to a folder), a loop, a link to a real movie folder elsewhere.
    symlinkSync(path.join(root, 'Dangling (2004)', 'nowhere.jpg'), path.join(root, 'Dangling (2004)', 'poster.jpg'));
    symlinkSync('/nonexistent/folder', path.join(root, 'Broken Link (2001)'));
    symlinkSync('..', path.join(root, 'Outside', 'loop'));
    // A second path to a folder scanned already: not a loop, and not called one.
    symlinkSync('../Good (2000)', path.join(root, 'Outside', 'GoodLink'));
    const elsewhere = f.tempDir('elsewhere');
    makeTree(elsewhere, { 'Linked (2012)/Linked.mkv': { size: GB + 6 } });
    symlinkSync(path.join(elsewhere, 'Linked (2012)'), path.join(root, 'Linked (2012)'));
    // A FIFO named like a poster must never be opened (it would block).
    execFileSync('mkfifo', [path.join(root, 'Pipe Dream (2005)', 'poster.jpg')]);

    const before = snapshotTree(root);
    const r = await f.scan();
    expect(snapshotTree(root)).toEqual(before);

    const items = await f.items();
    expect(items.map((i) => i.title).sort()).toEqual(
      [
        'Dangling',
        'Empty Promise',
        'Good',
        'Linked',
        'Léon: The Professional',
        'Night Shift',
        'Pipe Dream',
        'What If?',
      ].sort(),
    );
    const reasons = r.errors.map((e) => `${path.relative(root, e.path)} → ${e.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Caf.* Society \(2016\) → The name is not valid UTF-8 \(bytes 436166e920/),
        expect.stringMatching(/^Good \(2000\)\/fanart-.*\.jpg → The name is not valid UTF-8/),
        'Dangling (2004)/poster.jpg → Broken symbolic link (its target does not exist)',
        'Broken Link (2001) → Broken symbolic link (its target does not exist)',
        'Outside/loop → Symbolic link loop: this folder was already scanned under another path',
        `Outside/GoodLink → Skipped: this folder was already scanned under another path (a symbolic link to ${path.join(root, 'Good (2000)')})`,
        expect.stringMatching(
          /^Empty Promise \(2010\)\/Empty Promise \(2010\)\.mkv → The video file is empty \(0 bytes\)/,
        ),
      ]),
    );
    const empty = items.find((i) => i.title === 'Empty Promise')!;
    expect(empty.error).toMatch(/empty \(0 bytes\)/);
    expect(r.errors.find((e) => e.reason.includes('0 bytes'))!.itemId).toBe(empty.id);
    const night = items.find((i) => i.title === 'Night Shift')!;
    expect(night.folder).toBe(path.join(root, 'Night\nShift (1999)'));
    expect(items.find((i) => i.title === 'Good')!.art.poster).toBe(true);
    expect(items.find((i) => i.title === 'Pipe Dream')!.art.poster).toBe(false);

    // A rescan of the same hostile tree is calm and still writes nothing.
    const again = await f.scan();
    expect(again).toMatchObject({ added: 0, missing: 0, moved: 0 });
    expect(snapshotTree(root)).toEqual(before);
  });

  it('reads empty and oversized NFOs and pictures larger than its read buffer', async () => {
    // A real poster of about 5 MB, hashed (and checked for its end) across several reads.
    const big = await noisyJpeg(2200, 1600);
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    f = await scanFixture({
      'Empty (2001)/Empty.mkv': { size: GB },
      'Empty (2001)/Empty.nfo': '',
      'Huge (2002)/Huge.mkv': { size: GB + 1 },
      'Huge (2002)/Huge.nfo': `<movie><title>Huge</title><plot>${'x'.repeat(5 * 1024 * 1024)}</plot></movie>`,
      'Big Poster (2003)/Big Poster.mkv': { size: GB + 2 },
      'Big Poster (2003)/poster.jpg': big,
    });
    await f.scan();
    expect((await f.byFolder('Empty (2001)')).error).toMatch(/The NFO is empty/);
    expect((await f.byFolder('Huge (2002)')).error).toMatch(/The NFO is too large \(\d+ bytes\)/);
    const poster = await f.detail((await f.byFolder('Big Poster (2003)')).id);
    expect(poster.error).toBeNull();
    expect(poster.libraryFiles.find((x) => x.path.endsWith('poster.jpg'))).toMatchObject({
      sha256: createHash('sha256').update(big).digest('hex'),
      bytes: big.length,
      width: 2200,
      height: 1600,
    });
  });

  it('reports cut-off pictures as damaged and makes no art of them', async () => {
    const whole = await jpeg(300, 450, 51);
    const logo = await png(400, 155, 52);
    const big = await noisyJpeg(2200, 1600);
    f = await scanFixture({
      'Cut (2001)/Cut.mkv': { size: GB },
      'Cut (2001)/poster.jpg': whole.subarray(0, 300),
      'Cut (2001)/clearlogo.png': logo.subarray(0, logo.length - 40),
      'Cut (2001)/fanart.jpg': await jpeg(480, 270, 53),
      // Larger than the read buffer, cut in its last part; and whole, with zero padding after its end.
      'Big Cut (2002)/Big Cut.mkv': { size: GB + 1 },
      'Big Cut (2002)/poster.jpg': big.subarray(0, big.length - 1000),
      'Padded (2003)/Padded.mkv': { size: GB + 2 },
      'Padded (2003)/poster.jpg': Buffer.concat([whole, Buffer.alloc(512)]),
    });
    const r = await f.scan();
    const cut = await f.detail((await f.byFolder('Cut (2001)')).id);
    expect(cut.error).toMatch(/poster\.jpg is damaged \(the JPEG ends early\)/);
    expect(cut.error).toMatch(/clearlogo\.png is damaged \(the PNG ends early\)/);
    expect(cut.slots.map((s) => s.assetType)).toEqual(['fanart']);
    expect(cut.art).toMatchObject({ poster: false, clearlogo: false, fanart: true });
    expect(cut.libraryFiles.find((x) => x.path.endsWith('poster.jpg'))).toMatchObject({ width: null, height: null });
    const bigCut = await f.detail((await f.byFolder('Big Cut (2002)')).id);
    expect(bigCut.error).toMatch(/poster\.jpg is damaged \(the JPEG ends early\)/);
    expect(bigCut.slots).toEqual([]);
    const padded = await f.detail((await f.byFolder('Padded (2003)')).id);
    expect(padded.error).toBeNull();
    expect(padded.slots.map((s) => s.assetType)).toEqual(['poster']);
    expect(r.errors.filter((e) => e.reason.includes('is damaged'))).toHaveLength(3);

    // A rescan tells the same, in the same words.
    await f.scan({ deep: true });
    expect((await f.byFolder('Cut (2001)')).error).toMatch(/poster\.jpg is damaged \(the JPEG ends early\)/);
  });

  it('names a disc NFO problem from the movie folder, where the item lives', async () => {
    f = await scanFixture({
      'Bad Disc (1960)/VIDEO_TS/VIDEO_TS.IFO': 'DVDVIDEO-VMG',
      'Bad Disc (1960)/VIDEO_TS/VIDEO_TS.nfo': '<movie><title>Bad',
    });
    await f.scan();
    const item = await f.byFolder('Bad Disc (1960)');
    expect(item.folder).toBe(path.join(f.root, 'Bad Disc (1960)'));
    expect(item.error).toMatch(/^VIDEO_TS\/VIDEO_TS\.nfo: The NFO is not well-formed XML/);
  });

  it('treats a vanished root as offline: every item is told, nothing is marked missing', async () => {
    f = await scanFixture({ 'A (2001)/A.mkv': { size: GB }, 'B (2002)/B.mkv': { size: GB + 1 } });
    await f.scan();
    const aside = `${f.root}-unplugged`;
    renameSync(f.root, aside);
    const r = await f.scan();
    expect(r.added + r.missing + r.updated).toBe(0);
    expect(r.errors[0]).toEqual({
      path: f.root,
      reason: expect.stringMatching(/cannot be reached \(it does not exist\)/),
      itemId: null,
    });
    expect(r.errors.filter((e) => e.itemId !== null)).toHaveLength(2);
    const items = await f.items();
    expect(items.map((i) => i.state)).toEqual(['new', 'new']);
    expect(items.every((i) => /cannot be reached/.test(i.error ?? ''))).toBe(true);
    expect((await f.client.call('library-list', {}))[0]!.state).toBe('missing');

    renameSync(aside, f.root);
    const back = await f.scan();
    expect(back.errors).toEqual([]);
    expect((await f.items()).map((i) => i.error)).toEqual([null, null]);
    expect((await f.client.call('library-list', {}))[0]!.state).toBe('ok');
  });

  it('treats an emptied root (an unmounted share) as offline, not as deleted movies', async () => {
    f = await scanFixture({ 'A (2001)/A.mkv': { size: GB } });
    await f.scan();
    const aside = f.tempDir('aside');
    renameSync(path.join(f.root, 'A (2001)'), path.join(aside, 'A (2001)'));
    const r = await f.scan();
    expect(r.missing).toBe(0);
    expect(r.errors[0]!.reason).toMatch(/is empty \(is the drive or share mounted\?\)/);
    expect((await f.items())[0]!.state).toBe('new');
  });

  it('refuses bad library paths with clear errors', async () => {
    f = await scanFixture({ 'Sub/A (2001)/A.mkv': { size: GB } });
    const add = (p: string) => f.client.call('library-add', { path: p });
    await expect(add('relative/path')).rejects.toMatchObject({ code: 'bad_request', field: 'path' });
    await expect(add('/no/such/folder/anywhere')).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/No such folder/),
    });
    await expect(add(path.join(f.root, 'Sub', 'A (2001)', 'A.mkv'))).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/Not a folder/),
    });
    await expect(add(f.root)).rejects.toMatchObject({ code: 'conflict' });
    await expect(add(path.join(f.root, 'Sub'))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/nest/),
    });
    await expect(add(path.dirname(f.root))).rejects.toMatchObject({ code: 'conflict' });
    await expect(add(f.dataDir)).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('scan: folders the scanner may not read', () => {
  // Permission errors need a user the kernel checks; root reads everything, so run as nobody.
  const asNobody = process.getuid?.() === 0;

  it('reports an unreadable folder, keeps its movies, and marks nothing missing', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'posterity-eacces-'));
    try {
      chmodSync(base, 0o755);
      const root = path.join(base, 'library');
      makeTree(root, {
        'Open (2001)/Open.mkv': { size: GB },
        'Locked (2002)/Locked.mkv': { size: GB + 1 },
        'Shelf/Inner (2003)/Inner.mkv': { size: GB + 2 },
      });
      const data = path.join(base, 'data');
      mkdirSync(data);
      if (asNobody) execFileSync('chown', ['-R', '65534:65534', data, root]);
      // One child process runs the whole story as that user: scan, lock two folders, scan, unlock, scan.
      const script = path.join(base, 'child.mts');
      writeFileSync(
        script,
        `import { chmodSync } from 'node:fs';
import { createEngine } from ${JSON.stringify(path.join(repo, 'main/core/engine.ts'))};
import { createLogger } from ${JSON.stringify(path.join(repo, 'main/core/log.ts'))};
import { listItems } from ${JSON.stringify(path.join(repo, 'main/core/library/items-repo.ts'))};
const root = ${JSON.stringify(root)};
const engine = await createEngine({ dataDir: ${JSON.stringify(data)}, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
const lib = await engine.services.library.addLibrary({ path: root });
const scan = () => engine.services.library.scanLibrary(lib.id);
const items = async () => (await listItems(engine.services.db, { limit: 100 })).items.map((i) => ({ title: i.title, state: i.state, error: i.error }));
const first = await scan();
chmodSync(root + '/Locked (2002)', 0o000);
chmodSync(root + '/Shelf', 0o000);
const second = await scan();
const during = await items();
chmodSync(root + '/Locked (2002)', 0o755);
chmodSync(root + '/Shelf', 0o755);
const third = await scan();
const after = await items();
await engine.close();
process.stdout.write(JSON.stringify({ first, second, during, third, after }));
`,
      );
      const before = snapshotTree(root);
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
        cwd: repo,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: base },
        ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
      });
      if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
      expect(snapshotTree(root)).toEqual(before);
      const out = JSON.parse(r.stdout) as {
        first: ScanSummary;
        second: ScanSummary;
        third: ScanSummary;
        during: { title: string; state: string; error: string | null }[];
        after: { title: string; state: string; error: string | null }[];
      };
      expect(out.first.added).toBe(3);
      expect(out.second.missing).toBe(0);
      expect(out.second.errors).toEqual(
        expect.arrayContaining([
          { path: path.join(root, 'Locked (2002)'), reason: 'Folder cannot be read (Permission denied)', itemId: null },
          { path: path.join(root, 'Shelf'), reason: 'Folder cannot be read (Permission denied)', itemId: null },
          expect.objectContaining({ path: path.join(root, 'Shelf', 'Inner (2003)'), itemId: expect.any(Number) }),
        ]),
      );
      const byTitle = Object.fromEntries(out.during.map((i) => [i.title, i]));
      expect(byTitle.Open).toMatchObject({ state: 'new', error: null });
      expect(byTitle.Locked).toMatchObject({
        state: 'new',
        error: expect.stringMatching(/cannot be read \(Permission denied\)/),
      });
      expect(byTitle.Inner).toMatchObject({ state: 'new', error: expect.stringMatching(/Shelf cannot be read/) });
      // Readable again: the folders are read afresh and the problems clear.
      expect(out.third).toMatchObject({ errors: [], missing: 0, added: 0 });
      expect(out.after.map((i) => i.error)).toEqual([null, null, null]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);

  it('never writes into a library, even one it may not write to', async () => {
    // The scanner opens files read-only; a read-only root still scans fully.
    const f = await scanFixture({
      'RO (2001)/RO.mkv': { size: GB },
      'RO (2001)/movie.nfo': '<movie><title>RO</title></movie>',
    });
    try {
      chmodSync(path.join(f.root, 'RO (2001)'), 0o555);
      const before = snapshotTree(f.root);
      expect((await f.scan()).added).toBe(1);
      expect(snapshotTree(f.root)).toEqual(before);
    } finally {
      chmodSync(path.join(f.root, 'RO (2001)'), 0o755);
      await f.cleanup();
    }
  });
});
