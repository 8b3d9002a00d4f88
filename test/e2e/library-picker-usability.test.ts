import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureFreshRenderer, servedInBrowser, servedWithEnrichedMovie } from './harness.ts';

const MOVIES = 240;

/**
 * The library grid and the artwork picker as a user at scale meets them: keeping one's place,
 * selecting with the mouse, confirming bulk writes, locks that never change unannounced, and a
 * small window. In headless Chromium against `serve`.
 */
describe.skipIf(!chromiumAvailable())('desktop UI in a browser: library grid and picker usability', () => {
  beforeAll(async () => {
    await ensureFreshRenderer();
  }, 120_000);

  describe('library grid', () => {
    const session = servedInBrowser(
      () => ({ startJobs: false }),
      async (served) => {
        const movies = served.dir('Movies');
        for (let i = 1; i <= MOVIES; i++) {
          const folder = path.join(movies, `Film ${String(i).padStart(3, '0')} (2000)`);
          mkdirSync(folder);
          writeFileSync(path.join(folder, 'movie.mkv'), 'video');
        }
        const lib = await served.client.call('library-add', { path: movies });
        await served.client.call('scan', { libraryId: lib.id });
      },
    );

    afterEach(() => {
      expect(session.ui.errors).toEqual([]);
    });

    const scrollTop = () =>
      session.ui.page.evaluate<number>('document.querySelector(\'[role="listbox"][aria-label="Movies"]\').scrollTop');
    const focus = () =>
      session.ui.page.evaluate<string | null>(
        'document.activeElement?.getAttribute("aria-label") === "Movies" ? document.activeElement.getAttribute("aria-activedescendant") : null',
      );

    it('comes back from a movie to the same scroll position, with that movie focused', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await page.goto(`${served.app.server.url}/#/library`);
      const grid = page.getByRole('listbox', { name: 'Movies' });
      await grid.getByRole('option').first().waitFor();
      const box = (await grid.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 3000);
      await expect.poll(scrollTop).toBeGreaterThan(2000);
      await page.waitForTimeout(300);
      const before = await scrollTop();

      // Open a movie wholly in sight (so nothing scrolls to it), then come back with the header button.
      const cellId = await page.evaluate<string>(
        `[...document.querySelectorAll('[role="option"]')].find((o) => { const r = o.getBoundingClientRect(); return r.top > ${box.y} && r.bottom < ${box.y + box.height}; }).id`,
      );
      // Clicked where it is, as a user does: a locator's click may scroll the grid first.
      const clickCell = async () => {
        // Cells ignore the pointer while the grid scrolls (restoring the place is a scroll too).
        await expect.poll(() => grid.getAttribute('data-scrolling')).toBeNull();
        const r = (await page.locator(`#${cellId}`).boundingBox())!;
        await page.mouse.click(r.x + r.width / 2, r.y + r.height / 2);
      };
      await clickCell();
      await page.getByRole('button', { name: 'Back to the library' }).click();
      await grid.getByRole('option').first().waitFor();
      await expect.poll(scrollTop).toBe(before);
      await expect.poll(focus).toBe(cellId);
      await ui.screenshot('40-library-back');

      // And with the browser's Back.
      await clickCell();
      await page.getByRole('button', { name: 'Back to the library' }).waitFor();
      await page.goBack();
      await grid.getByRole('option').first().waitFor();
      await expect.poll(scrollTop).toBe(before);
      await expect.poll(focus).toBe(cellId);
    }, 60_000);

    it('selects a movie with its tick box, also while the poster lifts under the pointer', async () => {
      const { served, ui } = session;
      const { page } = ui;
      await page.goto(`${served.app.server.url}/#/library`);
      await page.reload(); // at the top again
      const grid = page.getByRole('listbox', { name: 'Movies' });
      const cell = grid.getByRole('option', { name: /^Film 002/ });
      await cell.hover();
      const tick = cell.getByRole('checkbox', { name: 'Select Film 002' });
      // Playwright clicks only what would receive the click: a tick under the art times out.
      await tick.click({ timeout: 5_000 });
      await page.getByText('1 movie selected').waitFor();
      expect(page.url()).toMatch(/#\/library$/);
      await expect.poll(() => tick.getAttribute('aria-checked')).toBe('true');
      await ui.screenshot('41-library-tick');
      await tick.click({ timeout: 5_000 });
      await page.getByRole('toolbar', { name: 'Selected movies' }).waitFor({ state: 'detached' });
      expect(page.url()).toMatch(/#\/library$/);
    }, 60_000);

    it('asks before publishing the selected movies, with how many', async () => {
      const { served, ui } = session;
      const { page } = ui;
      const publishes = async () => (await served.client.call('jobs-counts', {})).byKind['publish-item']?.queued ?? 0;
      await page.goto(`${served.app.server.url}/#/library`);
      const grid = page.getByRole('listbox', { name: 'Movies' });
      await grid.getByRole('option', { name: /^Film 001/ }).click({ modifiers: ['Control'] });
      const bar = page.getByRole('toolbar', { name: 'Selected movies' });
      await bar.getByText('1 movie selected').waitFor();
      await bar.getByRole('button', { name: `Select all ${MOVIES}` }).click();
      await bar.getByText(`${MOVIES} movies selected`).waitFor();

      await bar.getByRole('button', { name: 'Publish…' }).click();
      const dialog = page.getByRole('dialog', { name: `Publish ${MOVIES} movies?` });
      await dialog
        .getByText(`chosen artwork and details of ${MOVIES} movies into their folders`, { exact: false })
        .waitFor();
      await ui.screenshot('44-library-publish-confirm');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await publishes()).toBe(0);

      await bar.getByRole('button', { name: 'Publish…' }).click();
      await dialog.getByRole('button', { name: `Publish ${MOVIES} movies` }).click();
      await page.getByText(`Publishing: ${MOVIES} movies queued`).waitFor();
      await dialog.waitFor({ state: 'detached' });
      expect(await publishes()).toBe(MOVIES);
    }, 60_000);
  });

  describe('artwork picker', () => {
    const { session, movie } = servedWithEnrichedMovie();

    afterEach(() => {
      expect(session.ui.errors).toEqual([]);
    });

    const posterSlot = async () =>
      (await session.served.client.call('item-artwork', { itemId: movie.id, type: 'poster' })).types[0]!.slots.find(
        (s) => s.rank === 0,
      );

    it('never unlocks the user’s choice with L without saying so, and the hint says what L does', async () => {
      const { ui } = session;
      const { page } = ui;
      // The user's own choice, which a click makes (and locks).
      const first = (await session.served.client.call('item-artwork', { itemId: movie.id, type: 'poster' })).types[0]!
        .clusters[0]!.best;
      await session.served.client.call('artwork-select', { itemId: movie.id, type: 'poster', candidateId: first.id });
      expect(await posterSlot()).toMatchObject({ chosenBy: 'user', locked: true });
      await page.goto(`${session.served.app.server.url}/#/item/${movie.id}`);
      await page.getByRole('tab', { name: /Poster/ }).click();
      const tiles = page.getByRole('listbox', { name: 'Poster choices' }).getByRole('option');
      await tiles.nth(2).waitFor();
      await page.getByText('L locks or unlocks', { exact: false }).waitFor();
      // The focus on another choice, as when browsing on from the keyboard.
      await tiles.nth(1).focus();
      await page.keyboard.press('l');
      await page.getByText('Unlocked: auto-select may now replace this poster').waitFor();
      await ui.screenshot('42-picker-unlocked');
      expect((await posterSlot())?.locked).toBe(false);
      await page.keyboard.press('l');
      await page.getByText('Poster locked: auto-select keeps it').waitFor();
      expect((await posterSlot())?.locked).toBe(true);
    }, 60_000);

    it('orders the choices by best score unless the user asks for the largest', async () => {
      const { ui } = session;
      const { page } = ui;
      await page.goto(`${session.served.app.server.url}/#/item/${movie.id}`);
      await page.getByRole('tab', { name: /Poster/ }).click();
      const order = page.getByRole('group', { name: 'Order' });
      await expect
        .poll(() => order.getByRole('button', { name: 'Best score' }).getAttribute('aria-pressed'))
        .toBe('true');
      const shown = () =>
        page
          .getByRole('listbox', { name: 'Poster choices' })
          .getByRole('option')
          .evaluateAll((tiles) => tiles.map((t) => Number(t.getAttribute('data-candidate-id'))));
      const clusters = (await session.served.client.call('item-artwork', { itemId: movie.id, type: 'poster' }))
        .types[0]!.clusters;
      const byScore = clusters.filter((c) => !c.best.blocked).map((c) => c.best.id);
      expect([...clusters].map((c) => c.best.score)).toEqual(
        [...clusters].map((c) => c.best.score).sort((a, b) => b - a),
      );
      await expect.poll(shown).toEqual(byScore);
      await order.getByRole('button', { name: 'Largest' }).click();
      await expect.poll(shown).not.toEqual(byScore);
    }, 60_000);

    it('wraps the panel header in a small window instead of cutting off its buttons', async () => {
      const { ui } = session;
      const { page } = ui;
      await page.setViewportSize({ width: 800, height: 600 });
      try {
        await page.goto(`${session.served.app.server.url}/#/item/${movie.id}`);
        await page.getByRole('tab', { name: /Poster/ }).click();
        const panel = page.getByRole('region', { name: 'Poster artwork' });
        const own = panel.getByRole('button', { name: 'Use my own image…' });
        await own.waitFor();
        await ui.screenshot('43-picker-800');
        const panelBox = (await panel.boundingBox())!;
        const ownBox = (await own.boundingBox())!;
        expect(ownBox.x + ownBox.width).toBeLessThanOrEqual(panelBox.x + panelBox.width);
        // The ideal-size line keeps a readable width, not a column of one or two words.
        const ideal = (await panel.getByText(/^Ideal \d+×\d+/).boundingBox())!;
        expect(ideal.width).toBeGreaterThan(200);
      } finally {
        await page.setViewportSize({ width: 1360, height: 860 });
      }
    }, 60_000);
  });
});
