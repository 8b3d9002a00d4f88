import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePublishFixture, type PublishFixture } from './publish-fixture.ts';

/** A real HTTP peer that records what it was asked and answers with `respond`. */
interface Peer {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: unknown }[];
  close(): Promise<void>;
}

async function peer(
  respond: (req: { method: string; url: string; body: unknown }) => { status: number; body?: unknown },
): Promise<Peer> {
  const requests: Peer['requests'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        // keep text
      }
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(entry);
      const out = respond(entry);
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let f: PublishFixture;
const peers: Peer[] = [];
afterEach(async () => {
  await f?.cleanup();
  for (const p of peers.splice(0)) await p.close();
});

async function movieWithPoster(folder: string) {
  const m = await f.addMovie({ folder, basename: folder });
  await f.choose(m.id, 'poster', await f.image(folder.length));
  return m;
}

describe('player notification after publishing', () => {
  it('Kodi: finds the movie by file and refreshes it; scans the folder of a movie it does not know', async () => {
    f = await makePublishFixture();
    const known = await movieWithPoster('Known (2001)');
    const unknown = await movieWithPoster('Unknown (2002)');
    const knownVideo = path.join(known.folder, 'Known (2001).mkv');
    const kodi = await peer(({ body }) => {
      const rpc = body as { id: number; method: string; params: { filter?: { value: string } } };
      if (rpc.method === 'VideoLibrary.GetMovies') {
        const movies =
          rpc.params.filter?.value === 'Known (2001).mkv' ? [{ movieid: 42, file: knownVideo, label: 'Known' }] : [];
        return {
          status: 200,
          body: { jsonrpc: '2.0', id: rpc.id, result: { movies, limits: { total: movies.length } } },
        };
      }
      return { status: 200, body: { jsonrpc: '2.0', id: rpc.id, result: 'OK' } };
    });
    peers.push(kodi);
    await f.client.call('config-set', {
      key: 'players.kodi',
      value: { url: kodi.url, username: 'kodi', password: 'secret' },
    });

    const r = await f.client.call('publish', { itemIds: [known.id, unknown.id] });
    expect(r.players).toEqual([{ player: 'kodi', ok: true, items: 2, detail: '1 refreshed, 1 folder scans' }]);
    const calls = kodi.requests.map((q) => q.body as { method: string; params: unknown });
    expect(calls).toContainEqual({
      jsonrpc: '2.0',
      id: expect.any(Number),
      method: 'VideoLibrary.RefreshMovie',
      params: { movieid: 42, ignorenfo: false },
    });
    expect(calls).toContainEqual(
      expect.objectContaining({
        method: 'VideoLibrary.Scan',
        params: { directory: `${unknown.folder}${path.sep}`, showdialogs: false },
      }),
    );
    expect(calls.filter((c) => c.method === 'VideoLibrary.GetMovies')).toHaveLength(2);
    expect(kodi.requests.every((q) => q.url === '/jsonrpc' && q.method === 'POST')).toBe(true);
    expect(kodi.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('kodi:secret').toString('base64')}`);

    // Nothing changed: nobody is bothered.
    const again = await f.client.call('publish', { itemIds: [known.id] });
    expect(again.players).toEqual([]);
  });

  it('Jellyfin: one Media/Updated call with every changed path', async () => {
    f = await makePublishFixture();
    const a = await movieWithPoster('A (2001)');
    const b = await movieWithPoster('B (2002)');
    const jellyfin = await peer(() => ({ status: 204 }));
    peers.push(jellyfin);
    await f.client.call('config-set', {
      key: 'players.jellyfin',
      value: { url: `${jellyfin.url}/`, apiKey: 'jf-key' },
    });
    const r = await f.client.call('publish', { itemIds: [a.id, b.id] });
    expect(r.players).toEqual([{ player: 'jellyfin', ok: true, items: 2, detail: '2 paths reported' }]);
    expect(jellyfin.requests).toHaveLength(1);
    expect(jellyfin.requests[0]).toMatchObject({ method: 'POST', url: '/Library/Media/Updated' });
    expect(jellyfin.requests[0]!.headers['x-emby-token']).toBe('jf-key');
    expect((jellyfin.requests[0]!.body as { Updates: unknown[] }).Updates).toEqual([
      { Path: path.join(a.folder, 'A (2001).mkv'), UpdateType: 'Modified' },
      { Path: path.join(b.folder, 'B (2002).mkv'), UpdateType: 'Modified' },
    ]);
  });

  it('Plex: a section refresh with the folder path', async () => {
    f = await makePublishFixture();
    const a = await movieWithPoster('Plexed (2003)');
    const plex = await peer(() => ({ status: 200 }));
    peers.push(plex);
    await f.client.call('config-set', {
      key: 'players.plex',
      value: { url: plex.url, token: 'plex-token', sectionId: '3' },
    });
    const r = await f.client.call('publish', { itemIds: [a.id] });
    expect(r.players).toEqual([{ player: 'plex', ok: true, items: 1, detail: '1 folders refreshed' }]);
    expect(plex.requests[0]!.url).toBe(`/library/sections/3/refresh?path=${encodeURIComponent(a.folder)}`);
    expect(plex.requests[0]!.headers['x-plex-token']).toBe('plex-token');
  });

  it('a player that refuses or is down is reported, never fatal', async () => {
    f = await makePublishFixture();
    const a = await movieWithPoster('Down (2004)');
    const jellyfin = await peer(() => ({ status: 401 }));
    peers.push(jellyfin);
    const dead = await peer(() => ({ status: 200 }));
    await dead.close();
    // The HTTP client retries network errors with backoff; one attempt is enough to make the point.
    await f.client.call('config-set', { key: 'providers.maxRetries', value: 0 });
    await f.client.call('config-set', { key: 'players.jellyfin', value: { url: jellyfin.url, apiKey: 'wrong' } });
    await f.client.call('config-set', { key: 'players.kodi', value: { url: dead.url, username: '', password: '' } });
    const r = await f.client.call('publish', { itemIds: [a.id] });
    expect(r.errors).toEqual([]);
    expect(r.written).toBe(1);
    expect(r.players.map((p) => [p.player, p.ok])).toEqual([
      ['kodi', false],
      ['jellyfin', false],
    ]);
    expect(r.players[1]!.detail).toMatch(/HTTP 401.*API key/);
    expect(r.warnings.map((w) => w.reason).join('\n')).toMatch(/kodi was not refreshed/);
  });
});
