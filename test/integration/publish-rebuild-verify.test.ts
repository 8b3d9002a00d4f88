import { readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePublishFixture, pictureBytes, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture;
afterEach(async () => f?.cleanup());

async function library(count: number) {
  const movies: { id: number; folder: string }[] = [];
  for (let i = 0; i < count; i++) {
    const m = await f.addMovie({
      folder: `Movie ${i} (200${i})`,
      basename: `Movie ${i} (200${i})`,
      tmdbId: 100 + i,
      fields: { title: `Movie ${i}` },
    });
    await f.choose(m.id, 'poster', await f.image(100 + i * 3));
    await f.choose(m.id, 'fanart', await f.image(101 + i * 3, { width: 320, height: 180 }));
    await f.choose(m.id, 'clearlogo', await f.image(102 + i * 3, { format: 'png', width: 200, height: 80 }));
    movies.push(m);
  }
  return movies;
}

describe('rebuild', () => {
  it('restores every published file after they were all deleted; dry run first shows the plan and changes nothing', async () => {
    f = await makePublishFixture();
    const movies = await library(3);
    const published = await f.client.call('publish', { all: true });
    expect(published.errors).toEqual([]);
    const before = movies.map((m) =>
      Object.fromEntries(f.files(m.folder).map((rel) => [rel, f.sha(path.join(m.folder, rel))])),
    );
    expect(Object.keys(before[0]!)).toHaveLength(7); // 3 basename + 3 twins + NFO

    // Radarr upgrade / disk swap: every published file is gone.
    for (const m of movies) for (const rel of f.files(m.folder)) unlinkSync(path.join(m.folder, rel));

    const dry = await f.client.call('rebuild', { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.plan!.filter((p) => p.action === 'write' || p.action === 'link')).toHaveLength(21);
    expect(dry.plan!.every((p) => p.reason.startsWith('missing'))).toBe(true);
    for (const m of movies) expect(f.files(m.folder)).toEqual([]);

    const rebuilt = await f.client.call('rebuild', {});
    expect(rebuilt.errors).toEqual([]);
    expect(rebuilt).toMatchObject({ items: 3, written: 12, linked: 9 });
    movies.forEach((m, i) => {
      expect(Object.fromEntries(f.files(m.folder).map((rel) => [rel, f.sha(path.join(m.folder, rel))]))).toEqual(
        before[i],
      );
    });
  });

  it('hashes existing files, so a corrupted copy with the right size and time is replaced', async () => {
    f = await makePublishFixture();
    const [m] = await library(1);
    await f.client.call('publish', { itemIds: [m!.id] });
    const file = path.join(m!.folder, 'Movie 0 (2000)-poster.jpg');
    const row = await f.s.db.selectFrom('library_files').selectAll().where('path', '=', file).executeTakeFirstOrThrow();
    // Same size, same mtime: a stat-only check trusts it, a rebuild must not.
    const { utimesSync, readFileSync, statSync } = await import('node:fs');
    const mtime = statSync(file).mtime; // whole milliseconds, as the ledger keeps them
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(file, bytes);
    utimesSync(file, mtime, mtime);
    expect((await f.client.call('verify', { itemIds: [m!.id] })).items).toEqual([]);
    const r = await f.client.call('rebuild', { itemIds: [m!.id] });
    expect(r.errors).toEqual([]);
    expect(f.sha(file)).toBe(row.sha256);
  });
});

describe('verify', () => {
  it('finds each kind of drift, and repair fixes it from the cache', async () => {
    f = await makePublishFixture();
    const [a, b] = await library(2);
    await f.client.call('publish', { all: true });
    expect(await f.client.call('verify', {})).toMatchObject({ checked: 2, clean: 2, items: [] });

    // missing: Radarr deleted the basename poster.
    unlinkSync(path.join(a!.folder, 'Movie 0 (2000)-poster.jpg'));
    // modified: something rewrote our fanart in place — the twin is a hardlink, so both changed.
    writeFileSync(path.join(a!.folder, 'fanart.jpg'), await pictureBytes(999, { width: 320, height: 180 }));
    // stale: a new logo was chosen but not published yet.
    await f.choose(b!.id, 'clearlogo', await f.image(500, { format: 'png', width: 200, height: 80 }));
    // foreign: a user file where a newly chosen banner should go.
    writeFileSync(
      path.join(b!.folder, 'Movie 1 (2001)-banner.jpg'),
      await pictureBytes(501, { width: 400, height: 74 }),
    );
    await f.choose(b!.id, 'banner', await f.image(502, { width: 400, height: 74 }));

    const report = await f.client.call('verify', {});
    expect(report.checked).toBe(2);
    const kinds = (id: number) =>
      report.items
        .find((i) => i.itemId === id)!
        .findings.map((x) => `${x.kind} ${path.basename(x.path)}`)
        .sort();
    expect(kinds(a!.id)).toEqual([
      'missing Movie 0 (2000)-poster.jpg',
      'modified Movie 0 (2000)-fanart.jpg',
      'modified fanart.jpg',
    ]);
    expect(kinds(b!.id)).toEqual([
      'foreign Movie 1 (2001)-banner.jpg',
      'missing banner.jpg',
      'stale Movie 1 (2001)-clearlogo.png',
      'stale Movie 1 (2001).nfo',
      'stale clearlogo.png',
    ]);
    expect(report.counts).toEqual({ missing: 2, modified: 2, foreign: 1, stale: 3 });
    expect(report.repaired).toBeNull();

    const repaired = await f.client.call('verify', { repair: true });
    expect(repaired.repaired!.errors.map((e) => path.basename(e.path!))).toEqual(['Movie 1 (2001)-banner.jpg']);
    const after = await f.client.call('verify', {});
    // Only the user's file is still in the way; everything else is as chosen.
    expect(after.items.flatMap((i) => i.findings.map((x) => `${x.kind} ${path.basename(x.path)}`))).toEqual([
      'foreign Movie 1 (2001)-banner.jpg',
    ]);
    const bin = await f.s.db.selectFrom('recycle').select('original_path').execute();
    expect(bin.map((r) => path.basename(r.original_path)).sort()).toEqual(['Movie 0 (2000)-fanart.jpg', 'fanart.jpg']);
  });

  it('reports stale files and a folder that is gone', async () => {
    f = await makePublishFixture();
    const [a, b] = await library(2);
    await f.client.call('publish', { all: true });
    await f.s.db.deleteFrom('slots').where('item_id', '=', a!.id).where('asset_type', '=', 'clearlogo').execute();
    rmSync(b!.folder, { recursive: true });
    const report = await f.client.call('verify', {});
    expect(report.items.map((i) => i.findings.map((x) => `${x.kind} ${path.basename(x.path)}`))).toEqual([
      ['stale Movie 0 (2000).nfo', 'stale Movie 0 (2000)-clearlogo.png', 'stale clearlogo.png'],
    ]);
    expect(report.errors).toEqual([
      expect.objectContaining({ itemId: b!.id, reason: expect.stringMatching(/is gone/) }),
    ]);
    const repaired = await f.client.call('verify', { repair: true, itemIds: [a!.id] });
    expect(repaired.repaired!.recycled).toBe(2);
    expect(readdirSync(a!.folder).sort()).toEqual([
      'Movie 0 (2000)-fanart.jpg',
      'Movie 0 (2000)-poster.jpg',
      'Movie 0 (2000).mkv',
      'Movie 0 (2000).nfo',
      'fanart.jpg',
      'poster.jpg',
    ]);
  });
});
