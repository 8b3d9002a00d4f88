import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../shared/api/index.ts';
import { httpClient } from '../../shared/api/http-client.ts';
import type { JobView } from '../../shared/api/jobs.ts';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import { radarrAbout, renamedFile, type RadarrMovie } from '../fixtures/arr/load.ts';
import { fakeEnv, writeMovie, type MovieOnDisk } from './jobs-fixture.ts';

/*
 * `posterity daemon` as a child process, driven over real HTTP with recorded-shape Radarr
 * payloads, against the fake providers running in this process.
 */

const BIN = path.resolve('bin/posterity.mjs');

interface Daemon {
  child: ChildProcessWithoutNullStreams;
  api: ApiClient;
  webhooks: { radarr: string; sonarr: string };
  exited: Promise<number | null>;
}

let fakes: FakeProviders;
let root: string;
let dataDir: string;
let libRoot: string;
let daemon: Daemon | undefined;

function startDaemon(): Promise<Daemon> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--json', 'daemon', '--port', '0'], {
    env: { ...process.env, ...fakeEnv(fakes), POSTERITY_DATA_DIR: '' },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n') || !line) return;
      child.stdout.off('data', onData);
      const info = JSON.parse(line) as { apiUrl: string; token: string; webhooks: Daemon['webhooks'] };
      resolve({ child, api: httpClient({ baseUrl: info.apiUrl, token: info.token }), webhooks: info.webhooks, exited });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`daemon exited (${code}) before it was ready: ${stderr}`)));
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once every job has finished, returning the list. */
const settled = (api: ApiClient) =>
  waitFor('the queue to settle', async () => {
    const jobs = await api.call('jobs-list', { limit: 1000 });
    return jobs.length > 0 && jobs.every((j) => j.state !== 'queued' && j.state !== 'running') ? jobs : null;
  });

async function postRadarr(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { status: string; jobIds?: number[] } };
}

const asRadarr = (m: MovieOnDisk): RadarrMovie => ({ ...m.movie, name: m.name, basename: m.basename });

const art = (m: MovieOnDisk, basename = m.basename) =>
  readdirSync(path.join(libRoot, m.name))
    .filter((n) => n.startsWith(`${basename}-`))
    .sort();
const requests = () => Object.values(fakes.stats.byHost).reduce((a, b) => a + b, 0);

/** Clears the providers' counters once nothing is in flight (a request may land just after a job). */
async function resetProviderStats() {
  let last = -1;
  for (let still = 0; still < 3; ) {
    await new Promise((r) => setTimeout(r, 50));
    const n = requests();
    still = n === last && Object.values(fakes.stats.inFlight).every((v) => v === 0) ? still + 1 : 0;
    last = n;
  }
  fakes.stats.reset();
}

beforeAll(async () => {
  fakes = await startFakeProviders({ seed: 5, movieCount: 12 });
  root = mkdtempSync(path.join(os.tmpdir(), 'posterity-daemon-'));
  dataDir = path.join(root, 'data');
  libRoot = path.join(root, 'movies');
});

afterAll(async () => {
  if (daemon && daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  await fakes.close();
  rmSync(root, { recursive: true, force: true });
});

describe('posterity daemon', () => {
  const movies = () => fakes.catalogue.movies.filter((m) => m.posterPath !== null);
  let first: MovieOnDisk;

  it('starts headless, scans, enriches, picks and publishes a movie by itself', async () => {
    first = writeMovie(libRoot, movies()[0]!);
    daemon = await startDaemon();
    const { api } = daemon;
    for (const [key, value] of [
      ['automation.level', 'publish'],
      ['schedule.rescanHours', 0],
      ['schedule.verifyHours', 0],
      ['schedule.gcHours', 0],
    ] as const) {
      await api.call('config-set', { key, value });
    }
    const lib = await api.call('library-add', { path: libRoot });
    libRoot = lib.path;
    await api.call('config-set', { key: 'paths.mappings', value: [{ from: '/movies', to: libRoot }] });
    await api.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id });
    const jobs = await settled(api);
    expect(jobs.filter((j) => j.state !== 'done')).toEqual([]);
    expect(art(first).some((n) => /-poster\./.test(n))).toBe(true);
  });

  it('restores the art after a Radarr upgrade from the cache, with zero provider requests', async () => {
    const { api, webhooks } = daemon!;
    const before = art(first);
    // What Radarr does on an upgrade: old file and its basename-form extras gone, new file in.
    for (const n of [...before, `${first.basename}.mkv`, `${first.basename}.nfo`]) rmSync(path.join(libRoot, first.name, n), { force: true });
    const upgraded = { ...first, basename: `${first.name} Remux-2160p` };
    writeFileSync(path.join(libRoot, first.name, `${upgraded.basename}.mkv`), Buffer.alloc(8192, 3));
    await resetProviderStats();
    const res = await postRadarr(webhooks.radarr, radarrAbout('radarr-download-upgrade', asRadarr(upgraded)));
    expect(res).toMatchObject({ status: 202, body: { status: 'queued' } });
    await settled(api);
    expect(art(upgraded).map((n) => n.slice(upgraded.basename.length))).toEqual(before.map((n) => n.slice(first.basename.length)));
    expect(requests()).toBe(0);
    first = upgraded;
  });

  it('makes the art follow a Radarr rename', async () => {
    const { api, webhooks } = daemon!;
    const before = art(first);
    const renamed = { ...first, basename: `${first.name} {tmdb-${first.movie.tmdbId}}` };
    renameSync(path.join(libRoot, first.name, `${first.basename}.mkv`), path.join(libRoot, first.name, `${renamed.basename}.mkv`));
    await resetProviderStats();
    const body = radarrAbout('radarr-rename', asRadarr(renamed), (b) => renamedFile(b, first.name, first.basename, renamed.basename));
    expect((await postRadarr(webhooks.radarr, body)).status).toBe(202);
    await settled(api);
    expect(art(renamed)).toHaveLength(before.length);
    expect(art(first)).toEqual([]);
    expect(requests()).toBe(0);
    first = renamed;
  });

  it('resumes after kill -9 in the middle of a job, and nothing runs twice to harm', async () => {
    const second = writeMovie(libRoot, movies()[1]!);
    fakes.setLatency(1500); // TMDB and Fanart.tv slow: the enrichment is caught mid-way
    const res = await postRadarr(daemon!.webhooks.radarr, radarrAbout('radarr-download', asRadarr(second)));
    expect(res.status).toBe(202);
    const running = await waitFor('an enrichment to be running', async () =>
      (await daemon!.api.call('jobs-list', { state: 'running' })).find((j) => j.kind === 'enrich-item'),
    );
    daemon!.child.kill('SIGKILL');
    expect(await daemon!.exited).toBeNull();
    fakes.setLatency(0);

    daemon = await startDaemon(); // the dead process's worker lock is taken over
    const jobs = await settled(daemon.api);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    expect(byId.get(running.id)).toMatchObject({ state: 'done', attempts: 2 });
    const item = running.itemId!;
    const about = (kind: string) => jobs.filter((j: JobView) => j.itemId === item && j.kind === kind);
    expect(about('publish-item')).toHaveLength(1);
    expect(about('publish-item')[0]!.state).toBe('done');
    expect(jobs.filter((j) => j.state === 'failed')).toEqual([]);
    const posters = art(second).filter((n) => /-poster\./.test(n));
    expect(posters).toHaveLength(1);
    const detail = await daemon.api.call('item-get', { id: item });
    expect(detail.state).toBe('enriched');
  });

  it('stops cleanly on SIGTERM and says so in the log in its data folder', async () => {
    daemon!.child.kill('SIGTERM');
    expect(await daemon!.exited).toBe(0);
    const log = readFileSync(path.join(dataDir, 'logs', 'posterity.log'), 'utf8');
    expect(log).toContain('Daemon stopped');
    expect(log).toContain('Recovered jobs left running');
    // The lock is released: the next start needs no takeover.
    expect(readdirSync(dataDir)).not.toContain('jobs.lock');
    unlinkSync(path.join(dataDir, 'server-token'));
  });
});
