import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureFreshRenderer, servedInBrowser, servedWithEnrichedMovie } from './harness.ts';

/**
 * Settings → Storage (cache usage, checks, clean-up, the recycle bin with restore), the scan
 * progress of a library row, and keyboard focus around the artwork preview — in headless
 * Chromium against `serve`, asserting what the user sees and what lands on disk.
 */
describe.skipIf(!chromiumAvailable())('desktop UI in a browser: storage, scan progress, keyboard', () => {
  beforeAll(async () => {
    await ensureFreshRenderer();
  }, 120_000);

  describe('Settings → Storage', () => {
    const session = servedInBrowser();

    it('shows usage, explains empty sections, checks and cleans the cache', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await page.goto(`${served.app.server.url}/#/settings/storage`);
      const usage = page.getByRole('region', { name: 'Disk usage' });
      await usage.getByText('Cache in total').waitFor();
      await usage.getByText('The cache is empty.').waitFor();
      await usage
        .getByRole('group', { name: 'Quarantine' })
        .getByText(/Empty\. When a check finds a damaged image/)
        .waitFor();
      const downloads = page.getByRole('region', { name: 'Downloads' });
      await downloads.getByText('0 pending downloads').waitFor();
      await downloads.getByText('No failed downloads.', { exact: false }).waitFor();
      await page
        .getByRole('region', { name: 'Recycle bin' })
        .getByText('The recycle bin is empty.', { exact: false })
        .waitFor();
      await ui.screenshot('20-storage-empty');

      await downloads.getByRole('button', { name: 'Retry pending downloads' }).click();
      await downloads.getByText('No download was waiting.').waitFor();

      const verify = page.getByRole('region', { name: 'Check the cache' });
      await verify.getByText('Repair what is broken', { exact: false }).click();
      await verify.getByRole('button', { name: 'Check the cache' }).click();
      await verify
        .getByRole('status', { name: 'Cache check report' })
        .getByText(/Checked 0 images: all are fine\./)
        .waitFor();

      // Clean-up shows what it would do first, and does nothing until confirmed.
      const cleanup = page.getByRole('region', { name: 'Clean up' });
      await cleanup.getByRole('button', { name: 'Clean up now…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Clean up the cache?' });
      await dialog.getByText('Nothing to clean up right now.').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(ui.errors).toEqual([]);
    });

    it('restores a recycled file to its folder, and says clearly when another file is in the way', async () => {
      const { served, ui } = session;
      const { page } = ui;
      const movies = served.dir('Movies/Heat (1995)');
      const poster = path.join(movies, 'Heat (1995)-poster.jpg');
      const nfo = path.join(movies, 'movie.nfo');
      writeFileSync(poster, 'the old poster');
      writeFileSync(nfo, '<movie>old</movie>');
      const recycle = served.engine.services.cache.recycle;
      await recycle.put(poster, { kind: 'library-file', reason: 'replaced by a new poster' });
      await recycle.put(nfo, { kind: 'library-file', reason: 'replaced by a new NFO' });
      expect(existsSync(poster)).toBe(false);

      await page.goto(`${served.app.server.url}/#/settings/publishing`);
      await page.getByRole('link', { name: 'Settings → Storage' }).click();
      const bin = page.getByRole('region', { name: 'Recycle bin' });
      await bin.getByText('Heat (1995)-poster.jpg', { exact: true }).waitFor();
      await bin.getByText('Replaced by a new poster', { exact: false }).waitFor();
      await ui.screenshot('21-storage-recycle');

      await bin.getByRole('button', { name: 'Restore Heat (1995)-poster.jpg' }).click();
      await page.getByText('Restored Heat (1995)-poster.jpg to its folder').waitFor();
      expect(readFileSync(poster, 'utf8')).toBe('the old poster');
      await bin.getByText('Heat (1995)-poster.jpg', { exact: true }).waitFor({ state: 'detached' });

      // A different file now sits where the NFO was: restoring must refuse, and say why.
      writeFileSync(nfo, '<movie>new</movie>');
      await bin.getByRole('button', { name: 'Restore movie.nfo' }).click();
      const alert = bin.getByRole('alert');
      await alert.getByText('Not restored: another file is in the way.').waitFor();
      await alert.getByText(/A different file is now at .*movie\.nfo/).waitFor();
      expect(readFileSync(nfo, 'utf8')).toBe('<movie>new</movie>');
      await ui.screenshot('22-storage-restore-conflict');

      // Emptying asks first, then deletes for good.
      await bin.getByRole('button', { name: 'Empty all' }).click();
      const confirm = page.getByRole('dialog', { name: 'Empty the recycle bin?' });
      await confirm.getByText('They cannot be restored afterwards.').waitFor();
      await confirm.getByRole('button', { name: 'Delete all' }).click();
      await bin.getByText('Deleted 1 file', { exact: false }).waitFor();
      await bin.getByText('The recycle bin is empty.', { exact: false }).waitFor();
      expect(await served.client.call('recycle-list', {})).toEqual([]);
    });
  });

  describe('error toasts', () => {
    const session = servedInBrowser();

    it('counts a repeated error, clears it after the same action succeeds, and dismisses with Escape', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await page.goto(`${served.app.server.url}/#/settings/providers`);
      const field = page.getByLabel('TMDB API address');
      const save = page.getByRole('region', { name: 'Advanced' }).getByRole('button', { name: 'Save' }).first();
      const errors = page.locator('.toasts').getByRole('alert');
      await field.fill('not an address');
      await save.click();
      await errors.first().waitFor();
      await field.fill('still not an address');
      await save.click();
      // The same error again is counted, not stacked.
      await errors.filter({ hasText: '×2' }).waitFor();
      expect(await errors.count()).toBe(1);
      await ui.screenshot('26-toasts-errors');

      // A success of the same action clears them (after they have been on screen a moment).
      await field.fill('http://127.0.0.1:9/3');
      await save.click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).first().waitFor();
      await expect.poll(() => errors.count(), { timeout: 10_000 }).toBe(0);

      // Escape dismisses an error that nothing else is using the key for.
      await field.fill('nope');
      await save.click();
      await errors.first().waitFor();
      await page.locator('h1').click();
      await page.keyboard.press('Escape');
      await expect.poll(() => errors.count()).toBe(0);
      await served.client.call('config-set', { key: 'tmdb.baseUrl', value: 'https://api.themoviedb.org/3' });
    });
  });

  describe('scan progress in the libraries panel', () => {
    // Workers stopped: the scan waits until the test lets it run.
    const session = servedInBrowser(() => ({ startJobs: false }));

    it('shows the scan of a new library while it runs, then the new counts', async () => {
      const { served, ui } = session;
      const { page } = ui;
      const root = served.dir('Big');
      const count = 1500;
      for (let i = 0; i < count; i++) {
        const name = `Film ${String(i).padStart(4, '0')} (${1950 + (i % 70)})`;
        mkdirSync(path.join(root, name));
        writeFileSync(path.join(root, name, `${name}.mkv`), 'stand-in');
      }
      await page.goto(`${served.app.server.url}/#/settings/libraries`);
      const add = page.getByRole('region', { name: 'Add a library' });
      await add.getByLabel('Folder').fill(root);
      // The optional name is as tall as the folder field.
      const heights = await Promise.all(
        [add.getByLabel('Folder'), add.getByLabel('Name (optional)')].map(async (l) => (await l.boundingBox())!.height),
      );
      expect(heights[1]).toBe(heights[0]);
      await add.getByLabel('Name (optional)').fill('Big one');
      await add.getByRole('button', { name: 'Add and scan' }).click();
      const row = page.getByRole('region', { name: 'Libraries' }).getByRole('row', { name: /Big one/ });
      await row.getByText('Waiting to scan…').waitFor();
      await ui.screenshot('23-library-waiting');

      await served.engine.services.jobs.start({ watch: false });
      await row.getByText(/^Scanning… [\d,]+ folders?$/).waitFor({ timeout: 20_000 });
      await ui.screenshot('24-library-scanning');
      // When the job ends, the row shows the movies it found.
      await expect
        .poll(async () => (await row.getByRole('cell').nth(1).innerText()).split('\n')[0]!.trim(), { timeout: 60_000 })
        .toBe(count.toLocaleString('en-US'));
      await row.getByText(/Scanning…/).waitFor({ state: 'detached' });
      await row.getByRole('button', { name: 'Scan', exact: true }).waitFor();
    }, 120_000);

    it('moves a library to its new folder, keeping its movies, and says why when it cannot', async () => {
      const { served, ui } = session;
      const { page } = ui;
      const lib = (await served.client.call('library-list', {})).find((l) => l.name === 'Big one')!;
      const newRoot = served.dir('New disk');
      renameSync(lib.path, path.join(newRoot, 'Big'));
      const row = page.getByRole('region', { name: 'Libraries' }).getByRole('row', { name: /Big one/ });
      await row.getByRole('button', { name: 'Move…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Move Big one' });
      await dialog.getByLabel('New folder').fill(path.join(newRoot, 'nowhere'));
      await dialog.getByRole('button', { name: 'Move library' }).click();
      await dialog
        .getByRole('alert')
        .getByText(/No such folder/)
        .waitFor();
      await dialog.getByLabel('New folder').fill(path.join(newRoot, 'Big'));
      await dialog.getByRole('button', { name: 'Move library' }).click();
      await dialog.waitFor({ state: 'detached' });
      await row.getByText(path.join(newRoot, 'Big')).waitFor();
      const moved = (await served.client.call('library-list', {})).find((l) => l.id === lib.id)!;
      expect(moved).toMatchObject({ path: path.join(newRoot, 'Big'), itemCount: lib.itemCount });
      // The rebuild that follows covers this library's movies, not every library's.
      const rebuilds = await served.client.call('jobs-list', { kind: 'rebuild' });
      const items = await served.client.call('items-list', { libraryId: lib.id, limit: 10_000 });
      const byId = (ids: number[]) => [...ids].sort((a, b) => a - b);
      expect(byId(rebuilds[0]!.payload.itemIds as number[])).toEqual(byId(items.items.map((i) => i.id)));
    }, 60_000);
  });

  describe('artwork picker keyboard', () => {
    const { session, movie } = servedWithEnrichedMovie();

    afterEach(() => {
      expect(session.ui.errors).toEqual([]);
    });

    it('returns focus to the tile after a preview opened with Space closes with Escape', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await page.goto(`${served.app.server.url}/#/item/${movie.id}`);
      // Opening the movie fetches the choices' previews (what Space shows); then look again.
      await expect
        .poll(
          async () =>
            (await served.client.call('item-artwork', { itemId: movie.id, type: 'poster' })).types[0]!.clusters.filter(
              (c) => c.best.previewSha,
            ).length,
          { timeout: 30_000 },
        )
        .toBeGreaterThan(2);
      await page.reload();
      await page.getByRole('tab', { name: /Poster/ }).click();
      const tiles = page.getByRole('listbox', { name: 'Poster choices' }).getByRole('option');
      await tiles.nth(2).waitFor();
      await tiles.first().focus();
      await page.keyboard.press('ArrowRight');
      const second = await tiles.nth(1).getAttribute('data-candidate-id');
      const focused = () =>
        page.evaluate<string | null>('document.activeElement?.getAttribute("data-candidate-id") ?? null');
      await expect.poll(focused).toBe(second);

      await page.keyboard.press(' ');
      const preview = page.getByRole('dialog', { name: /^Poster · / });
      await preview.waitFor();
      await ui.screenshot('25-picker-preview');
      await page.keyboard.press('Escape');
      await preview.waitFor({ state: 'detached' });
      await expect.poll(focused).toBe(second);

      // Arrow keys go on from there.
      await page.keyboard.press('ArrowRight');
      await expect.poll(focused).toBe(await tiles.nth(2).getAttribute('data-candidate-id'));
      // And once more through the preview, to be sure focus stays in the grid.
      await page.keyboard.press(' ');
      await preview.waitFor();
      await page.keyboard.press('Escape');
      await preview.waitFor({ state: 'detached' });
      await page.keyboard.press('ArrowLeft');
      await expect.poll(focused).toBe(second);

      // B blocks the focused choice, which leaves the grid; the choice now in its place takes the focus.
      const third = await tiles.nth(2).getAttribute('data-candidate-id');
      await page.keyboard.press('b');
      await page.getByText('Blocked: auto-select will never choose it').waitFor();
      await expect.poll(focused).toBe(third);
      await page.keyboard.press('ArrowLeft');
      await expect.poll(focused).toBe(await tiles.nth(0).getAttribute('data-candidate-id'));
      await served.client.call('candidate-unblock', { candidateId: Number(second) });
    });
  });
});
