import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleLibrary } from '../../main/cli/demo.ts';
import { startFakeProviders, type FakeProviders, type FaultHandle } from '../fakes/index.ts';
import {
  chromiumAvailable,
  ensureFreshRenderer,
  fakeProviderEnv,
  servedInBrowser,
  until,
  useFakeProviders,
} from './harness.ts';

const MOVIES = 2;

/**
 * Enrichment while TMDB is down, then refusing the key, then back: the app says which provider
 * is in trouble and why in one banner, the failed work can be queued again after asking, and
 * the banner goes away by itself once calls work again.
 */
describe.skipIf(!chromiumAvailable())('desktop UI in a browser: a provider outage', () => {
  let fakes: FakeProviders | undefined;
  let down: FaultHandle | undefined;
  beforeAll(async () => {
    await ensureFreshRenderer();
    fakes = await startFakeProviders({ seed: 5, movieCount: 6 });
  }, 120_000);
  afterAll(async () => fakes?.close());

  const session = servedInBrowser(
    () => ({ env: fakeProviderEnv(fakes!) }),
    async (served) => {
      const { client } = served;
      await useFakeProviders(client, fakes!);
      // One answer per call: the banner should not wait for the HTTP client's retries.
      await client.call('config-set', { key: 'providers.maxRetries', value: 0 });
      // TMDB is down while the new library is scanned and enriched.
      down = fakes!.faults.add({ host: 'tmdb', kind: 'status', status: 503 });
      const dir = served.dir('Movies');
      writeSampleLibrary(dir, fakes!.catalogue.movies.slice(0, MOVIES));
      const lib = await client.call('library-add', { path: dir, kind: 'movies' });
      await client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true });
      await until(async () => (await client.call('items-list', {})).total === MOVIES, 30_000);
    },
  );

  it('names the provider and the reason, retries the failed work after asking, and clears itself', async () => {
    const { served, ui } = session;
    const { page } = ui;
    const { client } = served;
    const banner = page.locator('.banner-outage');

    const itemIds = (await client.call('items-list', {})).items.map((i) => i.id);
    await page.goto(`${served.app.server.url}/#/activity`);
    await banner.getByText(/^TMDB cannot be reached since \d{1,2}:\d{2}.*; enrichment will retry\.$/).waitFor();
    expect(await banner.count()).toBe(1);
    await ui.screenshot('31-outage-unreachable');

    // Up again but refusing the key: asked again now, the work fails for good and the banner says why.
    down!.remove();
    const refused = fakes!.faults.add({ host: 'tmdb', kind: 'status', status: 401 });
    await client.call('jobs-enqueue', { kind: 'enrich-item', itemIds, force: true });
    await banner.getByText('TMDB refuses the API key: check Settings.').waitFor();
    await banner.getByText(/cannot be reached/).waitFor({ state: 'detached' });
    await until(async () => (await client.call('jobs-counts', {})).failed === MOVIES, 30_000);
    await page.getByText(`0 waiting jobs · 0 running · ${MOVIES} failed`).waitFor();
    await ui.screenshot('32-outage-key-refused');

    // The key works again; nothing has asked TMDB yet, so the banner stays until something does.
    refused.remove();
    await page.getByRole('button', { name: 'Retry failed…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry failed jobs?' });
    await dialog.getByText(`${MOVIES} failed jobs are queued again, once each`, { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Not now' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await client.call('jobs-counts', {})).queued).toBe(0);
    expect(await banner.count()).toBe(1);

    await page.getByRole('button', { name: 'Retry failed…' }).click();
    await dialog.getByRole('button', { name: `Retry ${MOVIES} jobs` }).click();
    await page.getByText(`Queued ${MOVIES} failed jobs again`).waitFor();
    // The retries succeed: nothing failed is left to count, the button and the banner go.
    await page.getByText('0 waiting jobs · 0 running · 0 failed').waitFor({ timeout: 30_000 });
    await banner.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Retry failed…' }).waitFor({ state: 'detached' });
    // The failures stay in the history.
    await page.getByRole('button', { name: 'Failed', exact: true }).click();
    await expect.poll(() => page.locator('.job-failed').count()).toBeGreaterThanOrEqual(MOVIES);
    expect(ui.errors).toEqual([]);
  }, 90_000);
});
