import path from 'node:path';
import type { PlayerNotification } from '../../../shared/api/publish.ts';
import type { SettingValue } from '../../../shared/settings.ts';
import type { HttpClient } from '../providers/http.ts';
import type { Logger } from '../log.ts';

/*
 * After publishing, ask the players to look again, item by item where they allow it, so new art
 * shows without a full library scan. Every request goes through the provider HTTP client (budget
 * `players`). A player that is down or refuses is logged and reported; publishing never fails
 * because of it.
 */

/** A movie whose files changed. */
export interface PlayerTarget {
  itemId: number;
  folder: string;
  /** The video file (or disc structure folder); null when unknown. */
  videoPath: string | null;
}

export interface PlayerSettings {
  kodi: SettingValue<'players.kodi'>;
  jellyfin: SettingValue<'players.jellyfin'>;
  plex: SettingValue<'players.plex'>;
}

const TIMEOUT_MS = 15_000;
/** Kodi handles one refresh at a time anyway; two in flight keeps it busy without a queue. */
const KODI_PARALLEL = 2;

/** A folder as players expect it: with a trailing separator (Kodi compares paths that way). */
function folderPath(folder: string): string {
  return folder.endsWith(path.sep) ? folder : `${folder}${path.sep}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Notifies every configured player; returns one line per player that is configured. */
export async function notifyPlayers(
  http: HttpClient,
  players: PlayerSettings,
  targets: readonly PlayerTarget[],
  log: Logger,
  signal?: AbortSignal,
): Promise<PlayerNotification[]> {
  if (targets.length === 0) return [];
  const results: PlayerNotification[] = [];
  const run = async (player: PlayerNotification['player'], fn: () => Promise<PlayerNotification>) => {
    try {
      results.push(await fn());
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      results.push({ player, ok: false, items: targets.length, detail: (err as Error).message });
    }
    const last = results[results.length - 1]!;
    if (!last.ok) log.warn(`Could not notify ${player} after publishing`, { detail: last.detail });
  };
  if (players.kodi) {
    const kodi = players.kodi;
    await run('kodi', () => notifyKodi(http, kodi, targets, signal));
  }
  if (players.jellyfin) {
    const jellyfin = players.jellyfin;
    await run('jellyfin', () => notifyJellyfin(http, jellyfin, targets, signal));
  }
  if (players.plex) {
    const plex = players.plex;
    await run('plex', () => notifyPlex(http, plex, targets, signal));
  }
  return results;
}

interface KodiMovie {
  movieid: number;
  file: string;
}

class KodiRpc {
  private id = 0;
  constructor(
    private readonly http: HttpClient,
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const res = await this.http.postJson(
      this.url,
      { jsonrpc: '2.0', id: ++this.id, method, params },
      {
        budget: 'players',
        headers: this.headers,
        timeoutMs: TIMEOUT_MS,
        ...(this.signal ? { signal: this.signal } : {}),
      },
    );
    if (res.status === 401) throw new Error('Kodi refused the user name or password (HTTP 401)');
    if (res.status < 200 || res.status >= 300) throw new Error(`Kodi answered HTTP ${res.status}`);
    const body = res.body as { result?: unknown; error?: { message?: string; code?: number } } | undefined;
    if (!body || typeof body !== 'object') throw new Error('Kodi sent something that is not JSON-RPC');
    if (body.error) throw new Error(`Kodi ${method}: ${body.error.message ?? `error ${body.error.code}`}`);
    return body.result;
  }
}

/**
 * Kodi: find the movie by its file name (`VideoLibrary.GetMovies` with a filter) and refresh it
 * (`VideoLibrary.RefreshMovie`, which re-reads the NFO and local art); a movie Kodi does not know
 * yet gets a scan of its folder (`VideoLibrary.Scan`).
 */
async function notifyKodi(
  http: HttpClient,
  kodi: NonNullable<PlayerSettings['kodi']>,
  targets: readonly PlayerTarget[],
  signal?: AbortSignal,
): Promise<PlayerNotification> {
  const base = trimSlash(kodi.url);
  const url = base.endsWith('/jsonrpc') ? base : `${base}/jsonrpc`;
  const headers: Record<string, string> = {};
  if (kodi.username)
    headers.authorization = `Basic ${Buffer.from(`${kodi.username}:${kodi.password}`).toString('base64')}`;
  const rpc = new KodiRpc(http, url, headers, signal);
  let refreshed = 0;
  let scanned = 0;
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const t = targets[next++]!;
      try {
        const id = t.videoPath ? await findKodiMovie(rpc, t) : null;
        if (id !== null) {
          await rpc.call('VideoLibrary.RefreshMovie', { movieid: id, ignorenfo: false });
          refreshed++;
        } else {
          await rpc.call('VideoLibrary.Scan', { directory: folderPath(t.folder), showdialogs: false });
          scanned++;
        }
      } catch (err) {
        if ((err as Error).name === 'AbortError') throw err;
        failures.push((err as Error).message);
        // An unreachable Kodi will not come back within this run: stop asking.
        if (!/Kodi/.test((err as Error).message)) break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(KODI_PARALLEL, targets.length) }, worker));
  const ok = failures.length === 0;
  const parts = [`${refreshed} refreshed`, ...(scanned ? [`${scanned} folder scans`] : [])];
  return {
    player: 'kodi',
    ok,
    items: targets.length,
    detail: ok ? parts.join(', ') : `${parts.join(', ')}; ${failures.length} failed: ${failures[0]}`,
  };
}

async function findKodiMovie(rpc: KodiRpc, target: PlayerTarget): Promise<number | null> {
  const video = target.videoPath!;
  const result = (await rpc.call('VideoLibrary.GetMovies', {
    filter: { field: 'filename', operator: 'is', value: path.basename(video) },
    properties: ['file'],
  })) as { movies?: KodiMovie[] } | null;
  const movies = result?.movies ?? [];
  const exact = movies.find(
    (m) => m.file === video || m.file.startsWith(folderPath(video)) || m.file.startsWith(folderPath(target.folder)),
  );
  if (exact) return exact.movieid;
  // Kodi may see the library through another path (smb://…): one hit by file name is the movie.
  return movies.length === 1 ? movies[0]!.movieid : null;
}

/** Jellyfin: one `POST /Library/Media/Updated` naming every changed path. */
async function notifyJellyfin(
  http: HttpClient,
  jellyfin: NonNullable<PlayerSettings['jellyfin']>,
  targets: readonly PlayerTarget[],
  signal?: AbortSignal,
): Promise<PlayerNotification> {
  const res = await http.postJson(
    `${trimSlash(jellyfin.url)}/Library/Media/Updated`,
    { Updates: targets.map((t) => ({ Path: t.videoPath ?? t.folder, UpdateType: 'Modified' })) },
    {
      budget: 'players',
      headers: { 'x-emby-token': jellyfin.apiKey },
      timeoutMs: TIMEOUT_MS,
      ...(signal ? { signal } : {}),
    },
  );
  const ok = res.status >= 200 && res.status < 300;
  return {
    player: 'jellyfin',
    ok,
    items: targets.length,
    detail: ok
      ? `${targets.length} paths reported`
      : `Jellyfin answered HTTP ${res.status}${res.status === 401 ? ' (check the API key)' : ''}`,
  };
}

/** Plex: a partial refresh of the section, one folder at a time (`refresh?path=`). */
async function notifyPlex(
  http: HttpClient,
  plex: NonNullable<PlayerSettings['plex']>,
  targets: readonly PlayerTarget[],
  signal?: AbortSignal,
): Promise<PlayerNotification> {
  const folders = [...new Set(targets.map((t) => t.folder))];
  let done = 0;
  const failures: string[] = [];
  for (const folder of folders) {
    const url = `${trimSlash(plex.url)}/library/sections/${encodeURIComponent(plex.sectionId)}/refresh?path=${encodeURIComponent(folder)}`;
    try {
      const res = await http.getJson(url, {
        budget: 'players',
        headers: { 'x-plex-token': plex.token, accept: 'application/json' },
        timeoutMs: TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      });
      if (res.status >= 200 && res.status < 300) done++;
      else failures.push(`Plex answered HTTP ${res.status}${res.status === 401 ? ' (check the token)' : ''}`);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      failures.push((err as Error).message);
      break;
    }
  }
  const ok = failures.length === 0;
  return {
    player: 'plex',
    ok,
    items: targets.length,
    detail: ok ? `${done} folders refreshed` : `${done} folders refreshed; ${failures[0]}`,
  };
}
