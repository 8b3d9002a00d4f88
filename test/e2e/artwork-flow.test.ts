import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleLibrary } from '../../main/cli/demo.ts';
import { renderPicture, startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import {
  chromiumAvailable,
  ensureFreshRenderer,
  openBrowser,
  startServed,
  type BrowserSession,
  type Served,
} from './harness.ts';

/**
 * The whole flow a new user goes through, in headless Chromium against `serve` with the fake
 * providers: welcome wizard (keys, automation, library), scan, enrich, open a movie, choose a
 * poster, lock it, publish, and the file is in the movie's folder under the Kodi name with the
 * chosen bytes. Screenshots of each screen land in test-results/screenshots.
 */
describe.skipIf(!chromiumAvailable())('desktop UI in a browser: choosing artwork end to end', () => {
  let fakes: FakeProviders;
  let served: Served;
  let ui: BrowserSession;
  let libraryPath: string;

  beforeAll(async () => {
    await ensureFreshRenderer();
    fakes = await startFakeProviders({ seed: 21, movieCount: 12 });
    // Base URLs come from the environment (as a NAS setup might); keys are typed into the wizard.
    served = await startServed({
      env: { POSTERITY_TMDB_API_URL: fakes.tmdbApiUrl, POSTERITY_FANART_API_URL: fakes.fanartApiUrl },
    });
    libraryPath = served.dir('Movies');
    writeSampleLibrary(libraryPath, fakes.catalogue.movies.filter((m) => m.title !== AMBIGUOUS).slice(0, 3));
    // Two movies carry this title (1962 and 2019); a folder without the year cannot be told apart.
    mkdirSync(path.join(libraryPath, AMBIGUOUS));
    writeFileSync(path.join(libraryPath, AMBIGUOUS, `${AMBIGUOUS}.mkv`), 'stand-in');
    ui = await openBrowser(served.app.url);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await served?.close();
    await fakes?.close();
  });

  it('walks through the welcome guide: keys, automation, first library', async () => {
    const { page } = ui;
    await page.getByRole('heading', { name: 'Welcome to Posterity' }).waitFor();
    await ui.screenshot('01-welcome');

    await page.getByLabel('TMDB API key').fill(fakes.tmdbApiKey);
    await page.getByRole('button', { name: 'Save' }).first().click();
    // Saving a key tests it against the (fake) service.
    await page.getByText('TMDB accepted the key.').waitFor();
    await page.getByLabel('Fanart.tv API key').fill(fakes.fanartApiKey);
    await page.getByRole('button', { name: 'Save' }).nth(1).click();
    await page.getByText('Fanart.tv accepted the key.').waitFor();
    await expect.poll(async () => (await served.client.call('status', {})).providers.fanart.configured).toBe(true);
    expect((await served.client.call('status', {})).providers.tmdb.configured).toBe(true);
    await ui.screenshot('02-welcome-keys');

    await page.getByRole('button', { name: 'Next' }).click();
    // Off: the test drives every step itself, so nothing races it.
    await page.getByText('Nothing happens on its own').click();
    await expect
      .poll(async () => (await served.client.call('config-get', { key: 'automation.level' })).value)
      .toBe('off');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByLabel('Folder').fill(libraryPath);
    await page.getByRole('button', { name: 'Add and scan' }).click();
    await page.getByText('✓ Found 4 movies in Movies.').waitFor();
    await ui.screenshot('03-welcome-library');
    await page.getByRole('button', { name: 'Start' }).click();

    // The scan runs as a job; the grid fills in from the event stream.
    await page.getByRole('listbox', { name: 'Movies' }).getByRole('option').first().waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await served.client.call('items-list', {})).total, { timeout: 20_000 }).toBe(4);
    await expect.poll(() => page.getByRole('listbox', { name: 'Movies' }).getByRole('option').count()).toBe(4);
    await ui.screenshot('04-library-scanned');
  });

  it('finds artwork for every movie with a bulk action', async () => {
    const { page } = ui;
    const grid = page.getByRole('listbox', { name: 'Movies' });
    await grid.focus();
    await page.keyboard.press('Control+a');
    await page.getByText('4 movies selected').waitFor();
    await ui.screenshot('05-library-selected');
    await page.getByRole('toolbar', { name: 'Selected movies' }).getByRole('button', { name: 'Find artwork' }).click();
    await expect
      .poll(async () => (await served.client.call('items-list', { state: 'enriched' })).total, { timeout: 30_000 })
      .toBe(3);
    await expect.poll(async () => (await served.client.call('items-list', { state: 'needs_match' })).total).toBe(1);
    await page.getByRole('toolbar', { name: 'Selected movies' }).getByRole('button', { name: 'Clear' }).click();
    // A new search starts a new selection, so no bulk action reaches movies out of sight.
    await grid.focus();
    await page.keyboard.press('Control+a');
    await page.getByText('4 movies selected').waitFor();
    await page.getByRole('searchbox', { name: 'Search movies' }).fill('zzz-no-such-movie');
    await page.getByRole('toolbar', { name: 'Selected movies' }).waitFor({ state: 'detached' });
    await page.getByRole('searchbox', { name: 'Search movies' }).fill('');
    await expect.poll(() => grid.getByRole('option').count()).toBe(4);
    await page.goto(`${served.app.server.url}/#/activity`);
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    await page.getByText('Find artwork').first().waitFor();
    await ui.screenshot('06-activity');
  });

  it('chooses a poster, locks it, publishes it, and the choice survives auto-select', async () => {
    const { page } = ui;
    const items = await served.client.call('items-list', { sort: 'title' });
    const item = items.items[0]!;
    await page.goto(`${served.app.server.url}/#/library`);
    await page.getByRole('option', { name: new RegExp(`^${escapeRe(item.title)}`) }).click();
    await page.getByRole('heading', { name: new RegExp(escapeRe(item.title)) }).waitFor();
    await page.getByRole('tab', { name: /Poster/ }).click();
    const tiles = page.getByRole('listbox', { name: 'Poster choices' }).getByRole('option');
    await tiles.first().waitFor();
    await ui.screenshot('07-item-picker');

    // Pick a poster that is not the best-scored one, so auto-select would want another.
    const artwork = await served.client.call('item-artwork', { itemId: item.id, type: 'poster' });
    const clusters = artwork.types.find((t) => t.type === 'poster')!.clusters;
    expect(clusters.length).toBeGreaterThan(1);
    const best = clusters[0]!.best.id;
    const pick = clusters.find((c) => c.best.id !== best && !c.best.blocked)!.best;
    const tile = page.locator(`[data-candidate-id="${pick.id}"]`);
    await tile.hover();
    await page.waitForTimeout(450); // the breakdown opens after a short hover delay
    await ui.screenshot('08-item-breakdown');
    await tile.click();
    await page.getByText('Poster chosen and locked').waitFor();
    await expect.poll(() => tile.getAttribute('aria-selected')).toBe('true');
    let slot = await posterSlot(served, item.id);
    expect(slot).toMatchObject({ candidateId: pick.id, chosenBy: 'user', locked: true });
    expect(slot?.blobSha).toMatch(/^[0-9a-f]{64}$/);

    // L unlocks and locks again from the keyboard.
    const lockButton = page
      .getByRole('region', { name: 'Poster artwork' })
      .getByRole('button', { name: /^Lock(ed)?$/ });
    await tile.focus();
    await page.keyboard.press('l');
    await expect.poll(() => lockButton.getAttribute('aria-pressed')).toBe('false');
    expect((await posterSlot(served, item.id))?.locked).toBe(false);
    await page.keyboard.press('l');
    await expect.poll(() => lockButton.getAttribute('aria-pressed')).toBe('true');
    expect((await posterSlot(served, item.id))?.locked).toBe(true);
    await ui.screenshot('09-item-chosen');

    await page.getByRole('button', { name: 'Publish now' }).click();
    await page.getByText(/Published \d+ files?/).waitFor({ timeout: 20_000 });
    const detail = await served.client.call('item-get', { id: item.id });
    const published = path.join(detail.folder, `${detail.basename}-poster.jpg`);
    expect(existsSync(published)).toBe(true);
    slot = await posterSlot(served, item.id);
    expect(createHash('sha256').update(readFileSync(published)).digest('hex')).toBe(slot!.blobSha);
    await page.getByRole('tab', { name: /Files/ }).click();
    await page.getByText(`${detail.basename}-poster.jpg`).first().waitFor();
    await ui.screenshot('10-item-files');

    // Auto-select again, from the UI: the user's locked poster stays.
    await page.getByRole('tab', { name: 'Artwork' }).click();
    await page.getByRole('button', { name: 'Choose for me' }).click();
    await page.getByText(/; locked choices kept$/).waitFor();
    expect(await posterSlot(served, item.id)).toMatchObject({ candidateId: pick.id, chosenBy: 'user', locked: true });
    // And for every movie at once, straight through the API.
    await served.client.call('artwork-autoselect', { all: true });
    expect(await posterSlot(served, item.id)).toMatchObject({ candidateId: pick.id, chosenBy: 'user', locked: true });
  });

  it('blocks a candidate and takes a dropped-in image of the user', async () => {
    const { page } = ui;
    const item = (await served.client.call('items-list', { sort: 'title' })).items[0]!;
    await page.goto(`${served.app.server.url}/#/item/${item.id}`);
    await page.getByRole('tab', { name: /^Fanart/ }).click();
    const panel = page.getByRole('region', { name: 'Fanart artwork' });
    const tiles = panel.getByRole('listbox', { name: 'Fanart choices' }).getByRole('option');
    await tiles.first().waitFor();
    const before = await tiles.count();
    const victim = await tiles.first().getAttribute('data-candidate-id');
    await tiles.first().hover();
    await tiles
      .first()
      .getByRole('button', { name: /^Block/ })
      .click();
    await page.getByText('Blocked: auto-select will never choose it').waitFor();
    await expect.poll(() => tiles.count()).toBe(before - 1);
    await panel.getByRole('button', { name: /Show blocked/ }).click();
    await expect.poll(() => tiles.count()).toBe(before);
    await expect
      .poll(() => panel.locator(`[data-candidate-id="${victim}"]`).getAttribute('class'))
      .toContain('is-blocked');

    // The user's own image, through the file picker (in a browser it is uploaded to the server).
    const own = await renderPicture('backdrop.n.00000000beef', 1920, 1080, 'jpeg');
    await panel
      .locator('input[type="file"]')
      .setInputFiles({ name: 'my-fanart.jpg', mimeType: 'image/jpeg', buffer: own });
    await page.getByText('my-fanart.jpg is now the fanart (locked)').waitFor({ timeout: 20_000 });
    const fanart = (await served.client.call('item-artwork', { itemId: item.id, type: 'fanart' })).types[0]!.slots.find(
      (x) => x.rank === 0,
    )!;
    expect(fanart).toMatchObject({ chosenBy: 'user', locked: true });
    expect(fanart.blobSha).toBe(createHash('sha256').update(own).digest('hex'));
    await panel.getByText('Chosen by you').waitFor();
    await ui.screenshot('11-item-own-fanart');
  });

  it('asks which movie an ambiguous folder is, and matches it', async () => {
    const { page } = ui;
    await page.goto(`${served.app.server.url}/#/library`);
    await page.getByRole('button', { name: 'Needs match' }).click();
    await expect.poll(() => page.getByRole('listbox', { name: 'Movies' }).getByRole('option').count()).toBe(1);
    await page.getByRole('listbox', { name: 'Movies' }).getByRole('option').first().click();
    await page.getByRole('heading', { name: 'Which movie is this?' }).waitFor();
    const choices = page.getByRole('region', { name: 'Find the right movie' }).getByRole('listitem');
    await expect.poll(() => choices.count()).toBeGreaterThan(1);
    await ui.screenshot('12-needs-match');
    const wanted = fakes.catalogue.movies.find((m) => m.title === AMBIGUOUS && m.year === 2019)!;
    await choices.filter({ hasText: '2019' }).getByRole('button', { name: 'This one' }).click();
    await page.getByText(`Matched to ${AMBIGUOUS}`).waitFor({ timeout: 20_000 });
    const item = (await served.client.call('items-list', { search: AMBIGUOUS })).items[0]!;
    expect(item).toMatchObject({ tmdbId: wanted.tmdbId, state: 'enriched' });
    await page.getByRole('heading', { name: 'Which movie is this?' }).waitFor({ state: 'detached' });
    await page.goto(`${served.app.server.url}/#/library`);
    await page.getByRole('button', { name: 'Needs match' }).click();
  });

  it('edits a metadata field, which locks it', async () => {
    const { page } = ui;
    const first = (await served.client.call('items-list', { sort: 'title' })).items[0]!;
    await page.goto(`${served.app.server.url}/#/item/${first.id}`);
    await page.getByRole('tab', { name: 'Details' }).click();
    await page.getByRole('button', { name: 'Edit Tagline' }).click();
    await page.getByRole('textbox', { name: 'Tagline' }).fill('Chosen by hand.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Tagline saved and locked').waitFor();
    await page.getByRole('button', { name: 'Tagline is locked; unlock' }).waitFor();
    await ui.screenshot('13-item-details');
  });

  it('shows the list view, settings and the dark theme', async () => {
    const { page } = ui;
    const base = served.app.server.url;
    await page.goto(`${base}/#/library`);
    await page.getByRole('button', { name: 'List' }).click();
    await page.getByRole('listbox', { name: 'Movies' }).getByRole('option').first().waitFor();
    await ui.screenshot('14-library-list');
    await page.getByRole('button', { name: 'Posters' }).click();
    for (const [section, heading] of [
      ['providers', 'TMDB'],
      ['libraries', 'Libraries'],
      ['artwork', 'Languages'],
      ['publishing', 'File names'],
      ['automation', 'Automation level'],
      ['players', 'Kodi'],
      ['webhooks', 'Radarr and Sonarr'],
      ['appearance', 'Theme'],
    ] as const) {
      await page.goto(`${base}/#/settings/${section}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await ui.screenshot(`15-settings-${section}`);
    }
    await page.getByText('Always dark.').click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.goto(`${base}/#/library`);
    await page.getByRole('listbox', { name: 'Movies' }).getByRole('option').first().waitFor();
    await page.waitForTimeout(300);
    await ui.screenshot('16-library-dark');
    const items = await served.client.call('items-list', { sort: 'title' });
    await page.goto(`${base}/#/item/${items.items[0]!.id}`);
    await page.getByRole('listbox', { name: 'Poster choices' }).getByRole('option').first().waitFor();
    await page.waitForTimeout(300);
    await ui.screenshot('17-item-dark');
    await served.client.call('config-set', { key: 'ui.theme', value: 'system' });
  });

  it('shows engine errors in place and survives a lost connection', async () => {
    const { page } = ui;
    const base = served.app.server.url;
    await page.goto(`${base}/#/item/999999`);
    await page.waitForTimeout(1500);
    await ui.screenshot('18-error-in-place');
    await page.getByRole('alert').filter({ hasText: 'No item with id 999999' }).waitFor({ timeout: 5000 });
    await ui.screenshot('18-error-in-place');

    await page.goto(`${base}/#/library`);
    await page.getByRole('listbox', { name: 'Movies' }).waitFor();
    const port = served.app.server.port;
    const token = served.app.token;
    await served.app.close();
    await page.getByText('The connection to Posterity was lost').waitFor({ timeout: 10_000 });
    await ui.screenshot('19-connection-lost');
    const { startApp } = await import('../../main/cli/commands/serve.ts');
    const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
    served.app = await startApp(served.engine, quiet, { port, token });
    await page.getByText('The connection to Posterity was lost').waitFor({ state: 'detached', timeout: 15_000 });
    expect(ui.errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|net::/.test(e))).toEqual([]);
  });
});

async function posterSlot(served: Served, itemId: number) {
  const artwork = await served.client.call('item-artwork', { itemId, type: 'poster' });
  return artwork.types.find((t) => t.type === 'poster')?.slots.find((s) => s.rank === 0) ?? null;
}

const AMBIGUOUS = 'The Long Night';

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
