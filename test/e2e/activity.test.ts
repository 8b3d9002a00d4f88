import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureFreshRenderer, servedInBrowser } from './harness.ts';

const MOVIES = 600;

/**
 * The Activity page with a long queue (a bulk "Find artwork" over a big library): it tells how
 * much waits beyond the rows it lists, and empties the queue in one confirmed step.
 */
describe.skipIf(!chromiumAvailable())('desktop UI in a browser: a long job queue', () => {
  beforeAll(async () => {
    await ensureFreshRenderer();
  }, 120_000);

  const session = servedInBrowser(
    () => ({ startJobs: false }),
    async (served) => {
      const movies = served.dir('Movies');
      for (let i = 1; i <= MOVIES; i++) {
        const folder = path.join(movies, `Film ${i} (2000)`);
        mkdirSync(folder);
        writeFileSync(path.join(folder, `Film ${i}.mkv`), 'video');
      }
      const lib = await served.client.call('library-add', { path: movies });
      await served.client.call('scan', { libraryId: lib.id });
      // Nothing runs them (the workers are stopped): they wait, as behind a slow provider.
      for (const kind of ['enrich-item', 'autoselect-item'] as const)
        await served.client.call('jobs-enqueue', { kind, libraryId: lib.id });
    },
  );

  it('counts every waiting job, says how many are not listed, and cancels them all after asking', async () => {
    const { served, ui } = session;
    const { page } = ui;
    await page.goto(`${served.app.server.url}/#/activity`);
    // The app's own duties (a first scan, a check) may wait too.
    const waiting = (await served.client.call('jobs-counts', {})).queued;
    expect(waiting).toBeGreaterThanOrEqual(2 * MOVIES);
    const n = (x: number) => x.toLocaleString('en-US');
    await page.getByText(`${n(waiting)} waiting jobs · 0 running · 0 failed`).waitFor();
    // 500 are listed.
    await page.getByText(`${n(waiting - 500)} more jobs wait after these`, { exact: false }).waitFor();
    await ui.screenshot('30-activity-long-queue');

    await page.getByRole('button', { name: 'Cancel waiting jobs…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel waiting jobs?' });
    await dialog.getByText(`${n(waiting)} jobs that have not started yet will not run.`, { exact: false }).waitFor();
    // Changing one's mind keeps them.
    await dialog.getByRole('button', { name: 'Keep them' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await served.client.call('jobs-counts', {})).queued).toBe(waiting);

    await page.getByRole('button', { name: 'Cancel waiting jobs…' }).click();
    await dialog.getByRole('button', { name: `Cancel ${n(waiting)} jobs` }).click();
    await page.getByText(`Cancelled ${n(waiting)} waiting jobs`).waitFor();
    await page.getByText('0 waiting jobs · 0 running · 0 failed').waitFor();
    await page.getByRole('button', { name: 'Cancel waiting jobs…' }).waitFor({ state: 'detached' });
    expect(await served.client.call('jobs-counts', {})).toEqual({ queued: 0, running: 0, failed: 0, byKind: {} });
    expect(ui.errors).toEqual([]);
  }, 60_000);
});
