import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  ensureFreshRenderer,
  openBrowser,
  servedInBrowser,
  startServed,
  type BrowserSession,
  type Served,
} from './harness.ts';

/**
 * Adding a library in Settings › Libraries: the form follows the scan it started to what it
 * found, and a scan that ends without a word (its library removed while it waited, a bulk cancel)
 * stops showing as waiting, there and in the first-run wizard. Headless Chromium against `serve`
 * with the real engine and job queue; workers stopped so each scan waits until a test lets it run.
 */
describe.skipIf(!chromiumAvailable())('the scan of a library just added', () => {
  beforeAll(async () => {
    await ensureFreshRenderer();
  }, 120_000);

  const films = (served: Served, name: string, count: number) => {
    const root = served.dir(name);
    for (let i = 0; i < count; i++) {
      const title = `Film ${String(i).padStart(3, '0')} (${1950 + i})`;
      mkdirSync(path.join(root, title));
      writeFileSync(path.join(root, title, `${title}.mkv`), 'stand-in');
    }
    return root;
  };

  describe('Settings › Libraries', () => {
    const session = servedInBrowser(() => ({ startJobs: false }));
    const add = (page: Page) => page.getByRole('region', { name: 'Add a library' });
    const row = (page: Page, name: string) =>
      page.getByRole('region', { name: 'Libraries' }).getByRole('row', { name: new RegExp(name) });
    const addLibrary = async (page: Page, folder: string) => {
      await add(page).getByLabel('Folder').fill(folder);
      await add(page).getByRole('button', { name: 'Add and scan' }).click();
    };

    it('says what the scan found once it is over, not "scanning" forever', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await page.goto(`${served.app.server.url}/#/settings/libraries`);
      await addLibrary(page, films(served, 'Films', 24));
      await add(page).getByText('Waiting to scan Films…').waitFor();

      await served.engine.services.jobs.start({ watch: false });
      await add(page).getByText('✓ Films added: 24 movies found.').waitFor({ timeout: 30_000 });
      await expect.poll(() => add(page).getByText(/scanning|Waiting/i).count()).toBe(0);
      await row(page, 'Films').getByRole('button', { name: 'Scan', exact: true }).waitFor();
      await ui.screenshot('70-libraries-added-found');
      expect(ui.errors).toEqual([]);
    }, 90_000);

    it('a library removed while its scan waits stops waiting', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await served.engine.services.jobs.stop({ requeue: true, graceMs: 0 });
      await addLibrary(page, films(served, 'Later', 3));
      await add(page).getByText('Waiting to scan Later…').waitFor();
      await row(page, 'Later').getByText('Waiting to scan…').waitFor();

      await row(page, 'Later').getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('dialog', { name: 'Remove Later?' }).getByRole('button', { name: 'Remove library' }).click();
      await add(page).getByText('Later was removed before its scan ended.').waitFor();
      await row(page, 'Later').waitFor({ state: 'detached' });
      expect(await page.getByText(/Waiting to scan/).count()).toBe(0);
      expect(ui.errors).toEqual([]);
    }, 60_000);

    it('a scan cancelled with every waiting job says so', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await addLibrary(page, films(served, 'Bulk', 2));
      await row(page, 'Bulk').getByText('Waiting to scan…').waitFor();
      // Past the form's own look at the job list: only the cancel's one event for all can tell now.
      await page.waitForTimeout(500);
      await served.client.call('jobs-cancel-queued', { kind: 'scan-library' });
      await add(page).getByRole('alert').getByText('The scan of Bulk was cancelled.', { exact: false }).waitFor();
      await row(page, 'Bulk').getByRole('button', { name: 'Scan', exact: true }).waitFor();
      expect(await page.getByText(/Waiting to scan/).count()).toBe(0);
      expect(ui.errors).toEqual([]);
    }, 60_000);
  });

  describe('first-run wizard', () => {
    let served: Served;
    let ui: BrowserSession;
    beforeAll(async () => {
      served = await startServed({ startJobs: false });
      ui = await openBrowser(served.app.url);
    }, 90_000);
    afterAll(async () => {
      await ui?.close();
      await served?.close();
    });

    it('a library removed elsewhere while its scan waits stops waiting', async () => {
      const { page } = ui;
      await page.getByRole('heading', { name: 'Welcome to Posterity' }).waitFor();
      for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Folder').fill(films(served, 'Elsewhere', 2));
      await page.getByRole('button', { name: 'Add and scan' }).click();
      await page.getByText('Waiting to scan Elsewhere…').waitFor();

      // Removed from another window, or with `posterity library remove`.
      const [lib] = await served.client.call('library-list', {});
      await served.client.call('library-remove', { id: lib!.id });
      await page.getByText('Elsewhere was removed before its scan ended.').waitFor();
      expect(await page.getByText(/Waiting to scan/).count()).toBe(0);
      await page.locator('[aria-current="step"]', { hasText: 'Your movies' }).waitFor();
      expect(ui.errors).toEqual([]);
    }, 60_000);
  });
});
