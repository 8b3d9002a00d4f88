import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  ensureFreshRenderer,
  openBrowser,
  startServed,
  type BrowserSession,
  type Served,
} from './harness.ts';

/**
 * The first-run wizard's last step: adding the first library shows its scan while it runs (step,
 * counts, a progress bar), then how many movies it found, or why it could not, in headless
 * Chromium against `serve` with the real engine and job queue.
 */
describe.skipIf(!chromiumAvailable())('first-run wizard: the first scan', () => {
  let served: Served;
  let ui: BrowserSession;
  beforeAll(async () => {
    await ensureFreshRenderer();
    // Workers stopped: each scan waits until a test lets it run. ui.firstRunDone stays false.
    served = await startServed({ startJobs: false });
    ui = await openBrowser(served.app.url);
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    await served?.close();
  });

  const moviesStep = async (page: Page) => {
    await page.getByRole('heading', { name: 'Welcome to Posterity' }).waitFor();
    for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('[aria-current="step"]', { hasText: 'Your movies' }).waitFor();
  };
  const addLibrary = async (page: Page, folder: string) => {
    await page.getByLabel('Folder').fill(folder);
    await page.getByRole('button', { name: 'Add and scan' }).click();
  };

  it('shows the scan running with its step and counts, then the movies found, and keeps the wizard', async () => {
    const { page } = ui;
    const root = served.dir('Films');
    const count = 1500;
    for (let i = 0; i < count; i++) {
      const name = `Film ${String(i).padStart(4, '0')} (${1950 + (i % 70)})`;
      mkdirSync(path.join(root, name));
      writeFileSync(path.join(root, name, `${name}.mkv`), 'stand-in');
    }
    await moviesStep(page);
    await addLibrary(page, root);
    await page.getByText('Waiting to scan Films…').waitFor();

    await served.engine.services.jobs.start({ watch: false });
    // The step the scanner is on and how far it is, beside a bar that measures it: read in one
    // go in the page, as a scan of this size may be over before a second look.
    const snapshot = () =>
      page.evaluate<{ text: string; max: number } | null>(`(() => {
        const bar = document.querySelector('.scan-progress [role="progressbar"][aria-label="Scan of Films"]');
        const text = bar?.parentElement?.querySelector('span')?.textContent ?? '';
        const max = Number(bar?.getAttribute('aria-valuemax'));
        return /^(Reading|Saving).* · [\\d,]+ of [\\d,]+$/.test(text) && max > 0 ? { text, max } : null;
      })()`);
    let shown: { text: string; max: number } | null = null;
    await expect.poll(async () => (shown = await snapshot()), { timeout: 20_000, interval: 10 }).not.toBeNull();
    shown = shown!;
    expect(shown.text).toContain(` of ${shown.max.toLocaleString('en-US')}`);

    await page.getByText(`✓ Found ${count.toLocaleString('en-US')} movies in Films.`).waitFor({ timeout: 60_000 });
    await page.getByRole('progressbar', { name: 'Scan of Films' }).waitFor({ state: 'detached' });
    await ui.screenshot('61-welcome-scanned');

    // Stepping back and forth keeps both the wizard's place and the result.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.locator('[aria-current="step"]', { hasText: 'Automation' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(`✓ Found ${count.toLocaleString('en-US')} movies in Films.`).waitFor();
    expect(ui.errors).toEqual([]);
  }, 120_000);

  it('says why when the folder cannot be read, and when the scan is cancelled', async () => {
    const { page } = ui;
    await served.engine.services.jobs.stop({ requeue: true, graceMs: 0 });
    // A folder that is gone by the time the scan runs (an unmounted share).
    const gone = served.dir('Unplugged');
    writeFileSync(path.join(gone, 'placeholder'), '');
    await addLibrary(page, gone);
    await page.getByText('Waiting to scan Unplugged…').waitFor();
    rmSync(gone, { recursive: true });
    await served.engine.services.jobs.start({ watch: false });
    await page
      .getByRole('alert')
      .getByText(`The scan of Unplugged could not read ${gone}. Is the drive or share mounted`, { exact: false })
      .waitFor({ timeout: 30_000 });

    // A scan cancelled (from Activity, say) before it ran.
    await served.engine.services.jobs.stop({ requeue: true, graceMs: 0 });
    await addLibrary(page, served.dir('Later'));
    await page.getByText('Waiting to scan Later…').waitFor();
    const [job] = await served.client.call('jobs-list', { kind: 'scan-library', state: 'queued' });
    await served.client.call('jobs-cancel', { id: job!.id });
    await page.getByRole('alert').getByText('The scan of Later was cancelled.', { exact: false }).waitFor();
    await ui.screenshot('62-welcome-scan-cancelled');
    await page.locator('[aria-current="step"]', { hasText: 'Your movies' }).waitFor();
    expect(ui.errors).toEqual([]);
  }, 120_000);
});
