import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePublishFixture, pictureBytes, sha256, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture;
afterEach(async () => f?.cleanup());

/**
 * In hardlink mode a published picture and its cache file are one file: a picture edited in
 * place (an image editor saving over it, `cp other.jpg poster.jpg`) edits the cache too. The
 * cache must notice before it publishes that file anywhere as the chosen image.
 */
describe('hardlink mode: a published picture edited in place', () => {
  /** Overwrites a file's bytes in place (same inode), as an editor saving over it does. */
  const editInPlace = (file: string, bytes: Buffer) => writeFileSync(file, bytes, { flag: 'r+' });

  const publishLinked = async (seed: number) => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Ran (1985)', basename: 'Ran (1985)' });
    const poster = await f.image(seed);
    await f.choose(m.id, 'poster', poster);
    await f.client.call('config-set', { key: 'publish.mode', value: 'hardlink' });
    const first = await f.client.call('publish', { itemIds: [m.id] });
    expect(first.errors).toEqual([]);
    const file = path.join(m.folder, 'Ran (1985)-poster.jpg');
    const cached = (await f.s.cache.pathOf(poster.sha256))!;
    expect(statSync(file).ino).toBe(statSync(cached).ino);
    return { m, poster, file, cached };
  };

  it('repairs the library from a good copy, never from the edited cache file', async () => {
    const { m, poster, file, cached } = await publishLinked(31);
    const edited = await pictureBytes(32);
    editInPlace(file, edited);
    expect(sha256(readFileSync(cached))).toBe(sha256(edited)); // the cache file changed with it

    const found = await f.client.call('verify', { itemIds: [m.id] });
    expect(found.clean).toBe(0);
    const repaired = await f.client.call('verify', { itemIds: [m.id], repair: true });
    expect([...repaired.errors, ...repaired.repaired!.errors]).toEqual([]);
    // The cache file was set aside and recovered from where the image came from (the imported
    // file); the library file is the chosen image again, byte for byte.
    expect(sha256(readFileSync(cached))).toBe(poster.sha256);
    expect(sha256(readFileSync(file))).toBe(poster.sha256);
    expect(sha256(readFileSync(path.join(m.folder, 'poster.jpg')))).toBe(poster.sha256);
    expect((await f.client.call('verify', { itemIds: [m.id] })).clean).toBe(1);
    // The edit itself is kept in the recycle bin.
    const bin = await f.client.call('recycle-list', {});
    expect(bin.map((r) => sha256(readFileSync(r.storedPath)))).toContain(sha256(edited));
  });

  it('refuses to publish an edited cache file it cannot recover, and says why', async () => {
    const { m, poster, file, cached } = await publishLinked(33);
    // Nothing to recover from: the imported file is gone and no provider has the image.
    const source = (await f.client.call('cache-blob', { sha256: poster.sha256 })).sources[0]!.source;
    rmSync(source);
    const edited = await pictureBytes(34);
    editInPlace(file, edited);

    const r = await f.client.call('verify', { itemIds: [m.id], repair: true });
    expect([...r.errors, ...r.repaired!.errors].map((e) => e.reason).join('\n')).toMatch(
      /The chosen poster image \([0-9a-f]{12}\) cannot be published: its cache file was changed on disk .*; no good copy/,
    );
    // Nothing was replaced (the edit stays where it is), and the damaged cache file is in the
    // quarantine, no longer served as the image.
    expect(r.repaired).toMatchObject({ written: 0, recycled: 0 });
    expect(sha256(readFileSync(file))).toBe(sha256(edited));
    expect(existsSync(cached)).toBe(false);
    // Not reported as fine afterwards: the chosen image is lost, and the user is told what to do.
    const after = await f.client.call('verify', { itemIds: [m.id] });
    expect(after.clean).toBe(0);
    expect(after.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/^The chosen poster of Ran \(1985\) \([0-9a-f]{12}\) is no longer in the cache.*cache verify --repair/),
    ]);
    expect((await f.client.call('cache-blob', { sha256: poster.sha256 })).state).toBe('quarantined');
  });

  it('trusts an untouched cache file without reading it again', async () => {
    const { m, poster, cached } = await publishLinked(35);
    const row = () =>
      f.s.db.selectFrom('blobs').select('file_mtime').where('sha256', '=', poster.sha256).executeTakeFirstOrThrow();
    // Recorded when the image entered the cache: publishing trusts it without hashing.
    expect((await row()).file_mtime).toBe(statSync(cached).mtimeMs);
    rmSync(path.join(m.folder, 'Ran (1985)-poster.jpg'));
    rmSync(path.join(m.folder, 'poster.jpg'));
    const again = await f.client.call('publish', { itemIds: [m.id] });
    expect(again.errors).toEqual([]);
    expect(statSync(path.join(m.folder, 'poster.jpg')).ino).toBe(statSync(cached).ino);
  });
});
