/*
 * Which vanished item a newly found movie is: a moved folder, a renamed file or an upgraded
 * video keeps its item (and so its slots, candidates and cache references). Evidence, strongest
 * first: the same TMDB / IMDb id, the same own folder (the video was replaced, e.g. a Radarr
 * upgrade), the same file on the same filesystem (device + inode + size survive a move), the
 * same file name and size (a copy to another disk). Conflicting ids never match.
 */

export interface IdentityOld {
  id: number;
  folder: string;
  layout: string;
  videoName: string | null;
  videoSize: number | null;
  videoDev: number | null;
  videoIno: number | null;
  tmdbId: number | null;
  imdbId: string | null;
}

export interface IdentityNew {
  folder: string;
  layout: string;
  videoName: string;
  videoSize: number | null;
  videoDev: number | null;
  videoIno: number | null;
  tmdbId: number | null;
  imdbId: string | null;
}

/** Points per kind of evidence; a pair needs at least one. */
export const IDENTITY_EVIDENCE = {
  tmdb: 16,
  imdb: 16,
  sameOwnFolder: 4,
  sameInode: 2,
  sameNameAndSize: 1,
} as const;

function conflicts(a: IdentityNew, b: IdentityOld): boolean {
  return (
    (a.tmdbId !== null && b.tmdbId !== null && a.tmdbId !== b.tmdbId) ||
    (a.imdbId !== null && b.imdbId !== null && a.imdbId !== b.imdbId)
  );
}

function score(a: IdentityNew, b: IdentityOld): number {
  if (conflicts(a, b)) return 0;
  let s = 0;
  if (a.tmdbId !== null && a.tmdbId === b.tmdbId) s += IDENTITY_EVIDENCE.tmdb;
  if (a.imdbId !== null && a.imdbId === b.imdbId) s += IDENTITY_EVIDENCE.imdb;
  if (a.layout !== 'shared-folder' && b.layout !== 'shared-folder' && a.folder === b.folder)
    s += IDENTITY_EVIDENCE.sameOwnFolder;
  if (a.videoIno !== null && a.videoIno === b.videoIno && a.videoDev === b.videoDev && a.videoSize === b.videoSize) {
    s += IDENTITY_EVIDENCE.sameInode;
  }
  if (a.videoSize !== null && a.videoSize > 0 && a.videoSize === b.videoSize && a.videoName === b.videoName) {
    s += IDENTITY_EVIDENCE.sameNameAndSize;
  }
  return s;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Pairs new movies with vanished items, strongest evidence first, each at most once.
 * Returns new-movie index → item id.
 */
export function matchIdentities(
  incoming: readonly IdentityNew[],
  vanished: readonly IdentityOld[],
): Map<number, number> {
  const result = new Map<number, number>();
  if (incoming.length === 0 || vanished.length === 0) return result;
  const byTmdb = new Map<number, IdentityOld[]>();
  const byImdb = new Map<string, IdentityOld[]>();
  const byFolder = new Map<string, IdentityOld[]>();
  const byInode = new Map<string, IdentityOld[]>();
  const byName = new Map<string, IdentityOld[]>();
  for (const v of vanished) {
    if (v.tmdbId !== null) push(byTmdb, v.tmdbId, v);
    if (v.imdbId !== null) push(byImdb, v.imdbId, v);
    push(byFolder, v.folder, v);
    if (v.videoIno !== null) push(byInode, `${v.videoDev}:${v.videoIno}`, v);
    if (v.videoName !== null && v.videoSize) push(byName, `${v.videoName}\u0000${v.videoSize}`, v);
  }
  const pairs: { n: number; id: number; score: number }[] = [];
  incoming.forEach((a, n) => {
    const seen = new Set<number>();
    const consider = (list: IdentityOld[] | undefined) => {
      for (const b of list ?? []) {
        if (seen.has(b.id)) continue;
        seen.add(b.id);
        const s = score(a, b);
        if (s > 0) pairs.push({ n, id: b.id, score: s });
      }
    };
    if (a.tmdbId !== null) consider(byTmdb.get(a.tmdbId));
    if (a.imdbId !== null) consider(byImdb.get(a.imdbId));
    consider(byFolder.get(a.folder));
    if (a.videoIno !== null) consider(byInode.get(`${a.videoDev}:${a.videoIno}`));
    if (a.videoSize) consider(byName.get(`${a.videoName}\u0000${a.videoSize}`));
  });
  pairs.sort((x, y) => y.score - x.score || x.n - y.n || x.id - y.id);
  const taken = new Set<number>();
  for (const p of pairs) {
    if (result.has(p.n) || taken.has(p.id)) continue;
    result.set(p.n, p.id);
    taken.add(p.id);
  }
  return result;
}
