import { describe, expect, it } from 'vitest';
import { matchIdentities, type IdentityNew, type IdentityOld } from '../../main/core/library/identity.ts';

const old = (id: number, o: Partial<IdentityOld> = {}): IdentityOld => ({
  id,
  folder: `/lib/Old ${id}`,
  layout: 'own-folder',
  videoName: `old${id}.mkv`,
  videoSize: 1000 + id,
  videoDev: 1,
  videoIno: 500 + id,
  tmdbId: null,
  imdbId: null,
  ...o,
});
const neu = (o: Partial<IdentityNew> = {}): IdentityNew => ({
  folder: '/lib/New',
  layout: 'own-folder',
  videoName: 'new.mkv',
  videoSize: 9999,
  videoDev: 1,
  videoIno: 9999,
  tmdbId: null,
  imdbId: null,
  ...o,
});

describe('identity of moved and renamed movies', () => {
  it.each<[string, IdentityNew, IdentityOld[], number | undefined]>([
    ['same TMDB id', neu({ tmdbId: 603 }), [old(1), old(2, { tmdbId: 603 })], 2],
    ['same IMDb id', neu({ imdbId: 'tt0133093' }), [old(1, { imdbId: 'tt0133093' })], 1],
    ['same inode and size (moved on one disk)', neu({ videoIno: 501, videoSize: 1001 }), [old(1), old(2)], 1],
    ['same inode but another size is another file', neu({ videoIno: 501, videoSize: 5 }), [old(1)], undefined],
    [
      'same name and size (copied to another disk)',
      neu({ videoName: 'old2.mkv', videoSize: 1002, videoDev: 7 }),
      [old(1), old(2)],
      2,
    ],
    ['same own folder, new video (an upgrade)', neu({ folder: '/lib/Old 1' }), [old(1)], 1],
    [
      'a shared folder is no evidence',
      neu({ folder: '/lib', layout: 'shared-folder' }),
      [old(1, { folder: '/lib', layout: 'shared-folder' })],
      undefined,
    ],
    [
      'conflicting TMDB ids never match',
      neu({ tmdbId: 1, videoIno: 501, videoSize: 1001 }),
      [old(1, { tmdbId: 2 })],
      undefined,
    ],
    [
      'conflicting IMDb ids never match',
      neu({ imdbId: 'tt0000001', folder: '/lib/Old 1' }),
      [old(1, { imdbId: 'tt0000002' })],
      undefined,
    ],
    ['nothing in common', neu(), [old(1), old(2)], undefined],
    [
      'a zero-byte file proves nothing by name',
      neu({ videoName: 'old1.mkv', videoSize: 0, videoIno: null }),
      [old(1, { videoSize: 0 })],
      undefined,
    ],
  ])('%s', (_name, incoming, vanished, expected) => {
    expect(matchIdentities([incoming], vanished).get(0)).toBe(expected);
  });

  it('gives each vanished item to the strongest claim, once', () => {
    const vanished = [old(1, { tmdbId: 10 })];
    const byName = neu({ videoName: 'old1.mkv', videoSize: 1001 });
    const byId = neu({ tmdbId: 10, folder: '/lib/Elsewhere' });
    const result = matchIdentities([byName, byId], vanished);
    expect(result.get(1)).toBe(1);
    expect(result.has(0)).toBe(false);
  });

  it('pairs many moved movies at once', () => {
    const vanished = Array.from({ length: 200 }, (_, i) => old(i + 1));
    const incoming = vanished.map((v) =>
      neu({ folder: `/lib/Collection/${v.id}`, videoIno: v.videoIno, videoSize: v.videoSize }),
    );
    const result = matchIdentities(incoming.reverse(), vanished);
    expect(result.size).toBe(200);
    for (const [n, id] of result) expect(incoming[n]!.videoIno).toBe(500 + id);
  });
});
