import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../shared/api/index.ts';
import { jpeg, png, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** "An upgrade wiped the art": the user's own pictures, never replaced, must come back too. */
describe("the user's own pictures survive a wiped library", () => {
  let f: ScanFixture | undefined;
  afterEach(async () => f?.cleanup());

  const wipeArt = (folder: string) => {
    for (const name of readdirSync(folder)) if (!name.endsWith('.mkv')) rmSync(path.join(folder, name));
  };

  it('publishing keeps a copy in the cache, and a rebuild puts the original back byte for byte', async () => {
    const poster = await jpeg(1000, 1500, 21);
    f = await scanFixture({ 'Heat (1995)/Heat.mkv': { size: 1000 }, 'Heat (1995)/poster.jpg': poster });
    // The scan alone, without the copy every scan command and job makes after it (as a database
    // from before that copy was made has it): the publish must make the copy itself.
    await f.engine.services.library.scanLibrary(f.libraryId);
    const item = await f.byFolder('Heat (1995)');
    await expect(f.client.call('cache-blob', { sha256: sha(poster) })).rejects.toMatchObject({ code: 'not_found' });

    await f.client.call('publish', { itemIds: [item.id] });
    const blob = await f.client.call('cache-blob', { sha256: sha(poster) });
    expect(blob.sources.map((x) => x.provider)).toEqual(['original']);

    const folder = path.join(f.root, 'Heat (1995)');
    const published = (await f.detail(item.id)).libraryFiles;
    expect(published.map((x) => x.onDisk)).toEqual(published.map(() => 'present'));
    writeFileSync(path.join(folder, 'Heat-poster.jpg'), await jpeg(1000, 1500, 26));
    rmSync(path.join(folder, 'poster.jpg'));
    const seen = Object.fromEntries((await f.detail(item.id)).libraryFiles.map((x) => [path.basename(x.path), x.onDisk]));
    expect(seen).toMatchObject({ 'Heat-poster.jpg': 'changed', 'poster.jpg': 'missing' });
    wipeArt(folder);
    await f.scan();
    // The scan keeps the slot: the cache holds the picture.
    const slot = (await f.detail(item.id)).slots.find((x) => x.assetType === 'poster')!;
    expect(slot).toMatchObject({ blobSha: sha(poster), chosenBy: 'original' });

    const rebuilt = await f.client.call('rebuild', { itemIds: [item.id] });
    expect(rebuilt.errors).toEqual([]);
    expect(sha(readFileSync(path.join(folder, 'poster.jpg')))).toBe(sha(poster));
  });

  it('copies them right after a scan job, before any publish', async () => {
    const poster = await jpeg(1000, 1500, 22);
    const fanart = await jpeg(1920, 1080, 23);
    f = await scanFixture({
      'Heat (1995)/Heat.mkv': { size: 1000 },
      'Heat (1995)/poster.jpg': poster,
      'Heat (1995)/fanart.jpg': fanart,
    });
    const jobs = f.engine.services.jobs;
    // Nothing else runs: enriching would need providers.
    await f.client.call('config-set', { key: 'automation.level', value: 'off' });
    const id = await jobs.enqueue({ kind: 'scan-library', libraryId: f.libraryId });
    await jobs.start({ watch: false });
    await jobs.idle();
    expect((await jobs.get(id))!.message).toMatch(/2 of your own pictures kept safe/);
    const item = await f.byFolder('Heat (1995)');
    for (const b of [poster, fanart])
      expect(await f.client.call('cache-blob', { sha256: sha(b) })).toMatchObject({ state: 'available' });
    expect(await f.engine.services.cache.protectOriginals([item.id])).toEqual({ copied: 0, skipped: 0 });

    const folder = path.join(f.root, 'Heat (1995)');
    wipeArt(folder);
    await f.scan();
    await f.client.call('publish', { itemIds: [item.id] });
    expect(sha(readFileSync(path.join(folder, 'poster.jpg')))).toBe(sha(poster));
    expect(sha(readFileSync(path.join(folder, 'fanart.jpg')))).toBe(sha(fanart));
  });

  it('copies them as part of a one-shot scan (the command line), with progress', async () => {
    const poster = await jpeg(1000, 1500, 27);
    const logo = await png(800, 310, 28);
    f = await scanFixture({
      'Heat (1995)/Heat.mkv': { size: 1000 },
      'Heat (1995)/poster.jpg': poster,
      'Heat (1995)/clearlogo.png': logo,
      'Ronin (1998)/Ronin.mkv': { size: 1001 },
    });
    const seen: Progress[] = [];
    const result = await f.client.call('scan', { libraryId: f.libraryId }, { onProgress: (p) => seen.push(p) });
    expect(result.originalsKept).toBe(2);
    for (const b of [poster, logo])
      expect(await f.client.call('cache-blob', { sha256: sha(b) })).toMatchObject({ state: 'available' });
    const keeping = seen.filter((p) => p.label === 'Keeping a copy of your own pictures');
    expect(keeping.at(-1)).toEqual({ done: 2, total: 2, label: 'Keeping a copy of your own pictures' });
    // Already kept: the next scan copies nothing.
    expect((await f.scan()).originalsKept).toBe(0);
  });

  it('leaves a picture changed since the scan alone, and never touches the library file', async () => {
    const poster = await jpeg(1000, 1500, 24);
    f = await scanFixture({ 'Heat (1995)/Heat.mkv': { size: 1000 }, 'Heat (1995)/poster.jpg': poster });
    await f.engine.services.library.scanLibrary(f.libraryId);
    const item = await f.byFolder('Heat (1995)');
    const file = path.join(f.root, 'Heat (1995)', 'poster.jpg');
    const changed = await jpeg(1000, 1500, 25);
    writeFileSync(file, changed);
    expect(await f.engine.services.cache.protectOriginals([item.id])).toEqual({ copied: 0, skipped: 1 });
    expect(existsSync(file)).toBe(true);
    expect(sha(readFileSync(file))).toBe(sha(changed));
    await expect(f.client.call('cache-blob', { sha256: sha(changed) })).rejects.toMatchObject({ code: 'not_found' });
  });
});
