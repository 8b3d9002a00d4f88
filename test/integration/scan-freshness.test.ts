import { appendFileSync, closeSync, mkdirSync, openSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jpeg, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const GB = 1_000_000_000;

/**
 * A plain rescan skips folders whose signature is unchanged. These are the changes that leave a
 * folder's own mtime alone, and problems that must neither stick after a fix nor vanish before.
 */
describe('rescans notice what a folder listing does not show', () => {
  let f: ScanFixture | undefined;
  afterEach(async () => f?.cleanup());

  it('reads an NFO rewritten in place', async () => {
    f = await scanFixture({
      'Ed (2001)/Ed.mkv': { size: GB },
      'Ed (2001)/movie.nfo': '<movie><title>Old Title</title></movie>',
    });
    await f.scan();
    const folder = path.join(f.root, 'Ed (2001)');
    const folderBefore = statSync(folder);
    // Overwriting an existing file changes neither the folder's mtime nor its ctime.
    writeFileSync(
      path.join(folder, 'movie.nfo'),
      '<movie><title>New Title</title><uniqueid type="tmdb">603</uniqueid></movie>',
    );
    expect(statSync(folder).ctimeMs).toBe(folderBefore.ctimeMs);

    const r = await f.scan();
    expect(r.updated).toBe(1);
    const ed = await f.byFolder('Ed (2001)');
    expect(ed).toMatchObject({ title: 'New Title', tmdbId: 603 });
  });

  it('re-hashes a poster saved over in place and records its new size', async () => {
    f = await scanFixture({ 'Ed (2001)/Ed.mkv': { size: GB }, 'Ed (2001)/poster.jpg': await jpeg(300, 450, 1) });
    await f.scan();
    const folder = path.join(f.root, 'Ed (2001)');
    const folderBefore = statSync(folder);
    const replacement = await jpeg(200, 300, 2);
    writeFileSync(path.join(folder, 'poster.jpg'), replacement);
    expect(statSync(folder).ctimeMs).toBe(folderBefore.ctimeMs);

    await f.scan();
    const detail = await f.detail((await f.byFolder('Ed (2001)')).id);
    const poster = detail.libraryFiles.find((x) => x.path.endsWith('poster.jpg'))!;
    expect([poster.width, poster.height, poster.bytes]).toEqual([200, 300, replacement.length]);
  });

  it('still skips a folder whose files are all as they were', async () => {
    f = await scanFixture({
      'Ed (2001)/Ed.mkv': { size: GB },
      'Ed (2001)/movie.nfo': '<movie><title>Ed</title></movie>',
      'Ed (2001)/poster.jpg': await jpeg(300, 450, 1),
    });
    await f.scan();
    const r = await f.scan();
    expect(r.unchangedFolders).toBe(r.folders);
  });

  it('clears a problem once it is fixed, even when the fix leaves the folder untouched', async () => {
    f = await scanFixture({ 'Empty (2003)/Empty.mkv': '' });
    await f.scan();
    expect((await f.byFolder('Empty (2003)')).error).toMatch(/empty \(0 bytes\)/);

    // Writing into the video changes neither the folder nor any file the scan records.
    appendFileSync(path.join(f.root, 'Empty (2003)', 'Empty.mkv'), 'now it has frames');
    const r = await f.scan();
    expect(r.errors).toEqual([]);
    expect((await f.byFolder('Empty (2003)')).error).toBeNull();
  });

  it('keeps reporting a skipped folder on every rescan until it is renamed', async () => {
    f = await scanFixture({ 'Good (2000)/Good.mkv': { size: GB } });
    const bad = Buffer.concat([Buffer.from(`${f.root}/Caf`), Buffer.from([0xe9]), Buffer.from(' Society (2016)')]);
    mkdirSync(bad);
    closeSync(openSync(Buffer.concat([bad, Buffer.from('/Cafe.mkv')]), 'w'));
    const notUtf8 = (r: { errors: { reason: string }[] }) =>
      r.errors.filter((e) => e.reason.startsWith('The name is not valid UTF-8')).length;

    expect(notUtf8(await f.scan())).toBe(1);
    const again = await f.scan();
    expect(again.unchangedFolders).toBe(again.folders);
    expect(notUtf8(again)).toBe(1);

    renameSync(bad, path.join(f.root, 'Cafe Society (2016)'));
    const fixed = await f.scan();
    expect(notUtf8(fixed)).toBe(0);
    expect(fixed.added).toBe(1);
  });
});
