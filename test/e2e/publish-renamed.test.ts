import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, ensureFreshRenderer, servedWithEnrichedMovie } from './harness.ts';

/**
 * After a naming style change, "Publish now" on a movie's page says its files were renamed
 * (they were in place under their old names) rather than "Already up to date": in headless
 * Chromium against `serve`, with the real engine, fake providers and a real library folder.
 */
describe.skipIf(!chromiumAvailable())('publishing a movie after a naming style change', () => {
  beforeAll(async () => {
    await ensureFreshRenderer();
  }, 120_000);
  const { session, movie } = servedWithEnrichedMovie();

  it('says how many files were renamed', async () => {
    const { served, ui } = session;
    const { page } = ui;
    const { client } = served;
    await client.call('config-set', { key: 'naming.style', value: 'basename' });
    await client.call('artwork-autoselect', { itemIds: [movie.id] });
    const first = await client.call('publish', { itemIds: [movie.id] });
    expect(first.errors).toEqual([]);
    const detail = await client.call('item-get', { id: movie.id });
    expect(existsSync(path.join(detail.folder, `${detail.basename}-poster.jpg`))).toBe(true);

    await client.call('config-set', { key: 'naming.style', value: 'folder' });
    await page.goto(`${served.app.server.url}/#/item/${movie.id}`);
    await page.getByRole('button', { name: 'Publish now' }).click();
    await page.getByText(/^Published(:| \d+ files?,) \d+ (files? )?renamed$/).waitFor({ timeout: 20_000 });
    expect(existsSync(path.join(detail.folder, 'poster.jpg'))).toBe(true);
    expect(existsSync(path.join(detail.folder, `${detail.basename}-poster.jpg`))).toBe(false);
    expect(ui.errors).toEqual([]);
  }, 90_000);
});
