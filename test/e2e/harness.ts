import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startApp, type RunningApp } from '../../main/cli/commands/serve.ts';
import { createEngine, type Engine } from '../../main/core/engine.ts';
import { createLogger } from '../../main/core/log.ts';
import { inProcessClient } from '../../main/core/api/in-process-client.ts';
import { writeSampleLibrary } from '../../main/cli/demo.ts';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import type { ApiClient } from '../../shared/api/index.ts';

/** Debian's chromium; the e2e suite and the UI benchmark drive it headless. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

/**
 * Whether the browser suites can run. Without chromium they are skipped on a laptop, but on CI
 * (CI=true) a missing browser is a failure: a green run must mean the UI was really exercised.
 */
export function chromiumAvailable(): boolean {
  const present = existsSync(CHROMIUM);
  if (!present && process.env.CI === 'true') {
    throw new Error(
      `${CHROMIUM} is missing: install it (apt-get install -y chromium); the e2e suite does not skip on CI`,
    );
  }
  return present;
}

/** Builds the renderer when its sources are newer than out/renderer (tests always see the current UI). */
export async function ensureFreshRenderer(): Promise<void> {
  const built = path.join(ROOT, 'out', 'renderer', 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const newest = Math.max(
    newestMtime(path.join(ROOT, 'renderer')),
    newestMtime(path.join(ROOT, 'shared')),
    statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs,
  );
  if (newest <= builtAt) return;
  const { buildRenderer } = await import('../../scripts/build-renderer.ts');
  await buildRenderer();
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export interface Served {
  engine: Engine;
  client: ApiClient;
  app: RunningApp;
  root: string;
  dataDir: string;
  /** A folder inside the temp root (created). */
  dir(name: string): string;
  close(): Promise<void>;
}

/** What `posterity serve` runs, in this process: engine (real clock), jobs, HTTP door with the UI. */
export async function startServed(options: { env?: NodeJS.ProcessEnv; startJobs?: boolean } = {}): Promise<Served> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'posterity-e2e-'));
  const dataDir = path.join(root, 'data');
  const engine = await createEngine({
    dataDir,
    env: options.env ?? {},
    logger: createLogger({ consoleLevel: 'silent', file: path.join(dataDir, 'logs', 'posterity.log') }),
  });
  const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
  const app = await startApp(engine, quiet, { port: 0 });
  if (options.startJobs === false) await engine.services.jobs.stop({ requeue: true, graceMs: 0 });
  return {
    engine,
    client: inProcessClient(engine.dispatch),
    app,
    root,
    dataDir,
    dir(name) {
      const p = path.join(root, name);
      mkdirSync(p, { recursive: true });
      return p;
    },
    async close() {
      await app.close();
      await engine.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Browser console errors and page errors seen so far (a test may assert there are none). */
  errors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(
  url: string,
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1360, height: options.height ?? 860 },
    colorScheme: options.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  await page.goto(url);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    browser,
    context,
    page,
    errors,
    async screenshot(name) {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await browser.close();
    },
  };
}

/**
 * A served engine with a browser on it, for the tests of one describe block. `options` is read
 * when the block starts; `prepare` runs before the browser opens.
 */
export function servedInBrowser(
  options: () => Parameters<typeof startServed>[0] = () => ({}),
  prepare: (served: Served) => Promise<void> = async () => {},
): { served: Served; ui: BrowserSession } {
  const session = {} as { served: Served; ui: BrowserSession };
  beforeAll(async () => {
    session.served = await startServed(options());
    // Past the welcome screen: on a slow first load it could still take over a page the test opened.
    await session.served.client.call('config-set', { key: 'ui.firstRunDone', value: true });
    await prepare(session.served);
    session.ui = await openBrowser(session.served.app.url);
  }, 90_000);
  afterAll(async () => {
    await session.ui?.close();
    await session.served?.close();
  });
  return session;
}

/** Waits for a condition outside a test (expect.poll works only inside one). */
export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A served engine with one sample movie scanned and enriched against the fake providers (more
 * than two groups of poster choices in place) and a browser on it, for the picker's tests.
 * `movie.id` is set once the block has started.
 */
/** The environment that points a served engine at the fake providers. */
export function fakeProviderEnv(fakes: FakeProviders): NodeJS.ProcessEnv {
  return { POSTERITY_TMDB_API_URL: fakes.tmdbApiUrl, POSTERITY_FANART_API_URL: fakes.fanartApiUrl };
}

/** The fakes' keys saved, and automation stopping once candidates are in (nothing chosen or published by itself). */
export async function useFakeProviders(client: ApiClient, fakes: FakeProviders): Promise<void> {
  await client.call('config-set', { key: 'tmdb.apiKey', value: fakes.tmdbApiKey });
  await client.call('config-set', { key: 'fanart.apiKey', value: fakes.fanartApiKey });
  await client.call('config-set', { key: 'automation.level', value: 'candidates' });
}

export function servedWithEnrichedMovie(): { session: { served: Served; ui: BrowserSession }; movie: { id: number } } {
  let fakes: FakeProviders | undefined;
  const movie = { id: 0 };
  beforeAll(async () => {
    fakes = await startFakeProviders({ seed: 7, movieCount: 4 });
  });
  afterAll(async () => fakes?.close());
  const session = servedInBrowser(
    () => ({ env: fakeProviderEnv(fakes!) }),
    async (served) => {
      const { client } = served;
      await useFakeProviders(client, fakes!);
      const dir = served.dir('Movies');
      writeSampleLibrary(dir, fakes!.catalogue.movies.slice(0, 1));
      const lib = await client.call('library-add', { path: dir, kind: 'movies' });
      await client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true });
      await until(async () => (await client.call('items-list', {})).total === 1, 30_000);
      const ids = (await client.call('items-list', {})).items.map((i) => i.id);
      await client.call('jobs-enqueue', { kind: 'enrich-item', itemIds: ids });
      await until(async () => (await client.call('items-list', { state: 'enriched' })).total === 1, 30_000);
      movie.id = (await client.call('items-list', {})).items[0]!.id;
      await until(
        async () =>
          (await client.call('item-artwork', { itemId: movie.id, type: 'poster' })).types[0]!.clusters.length > 2,
        30_000,
      );
    },
  );
  return { session, movie };
}
