import type { ApiClient } from '../../shared/api/index.ts';
import { httpClient } from '../../shared/api/http-client.ts';
import { newToken, startHttpServer } from '../../main/server/http-server.ts';
import { makeTestEngine, type TestEngine } from './engine.ts';
import { insertMovie } from './seed.ts';

export type DoorName = 'in-process' | 'http';
export const DOORS: DoorName[] = ['in-process', 'http'];

export interface DoorFixture extends TestEngine {
  door: DoorName;
  /** The client for this door; the contract suite runs the same assertions through each. */
  api: ApiClient;
}

/** A test engine reached through one door, so a contract suite can run per door. */
export async function openDoor(door: DoorName, options?: Parameters<typeof makeTestEngine>[0]): Promise<DoorFixture> {
  const t = await makeTestEngine(options);
  if (door === 'in-process') return { ...t, door, api: t.client };
  const token = newToken();
  const server = await startHttpServer({
    dispatch: t.engine.dispatch,
    events: t.engine.services.events,
    log: t.engine.services.log,
    token,
    port: 0,
  });
  return {
    ...t,
    door,
    api: httpClient({ baseUrl: server.url, token }),
    cleanup: async () => {
      await server.close();
      await t.cleanup();
    },
  };
}

/** A library of `n` enriched movies (M0, M1…) written straight into the database, as a scan and an enrichment would leave them. */
export async function seedMovies(t: TestEngine, n: number): Promise<{ libraryId: number; ids: number[] }> {
  const s = t.engine.services;
  const lib = await s.library.addLibrary({ path: t.tempDir('movies') });
  const now = s.clock.now();
  const ids: number[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      await insertMovie(s.db, now, lib.id, { folder: `${lib.path}/M${i}`, title: `Movie ${i}`, state: 'enriched' }),
    );
  return { libraryId: lib.id, ids };
}
