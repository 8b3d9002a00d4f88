import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import { chromiumAvailable, ensureFreshRenderer, servedInBrowser } from './harness.ts';

/**
 * Settings → Artwork services: a key can be tried before it is saved. Headless Chromium against
 * `serve`, the real engine and the fake TMDB / Fanart.tv over HTTP.
 */
describe.skipIf(!chromiumAvailable())('Settings: testing a provider key before saving it', () => {
  let fakes: FakeProviders | undefined;
  beforeAll(async () => {
    await ensureFreshRenderer();
    fakes = await startFakeProviders({ seed: 7, movieCount: 4 });
  }, 120_000);
  afterAll(async () => fakes?.close());
  const session = servedInBrowser(() => ({
    env: { POSTERITY_TMDB_API_URL: fakes!.tmdbApiUrl, POSTERITY_FANART_API_URL: fakes!.fanartApiUrl },
  }));

  it('tests the typed key, keeps it unsaved until Save, and then tests the saved one', async () => {
    const { served, ui } = session;
    const { page } = ui;
    const savedKey = () => served.engine.services.settings.get('tmdb.apiKey');
    await page.goto(`${served.app.server.url}/#/settings/providers`);
    const tmdb = page.getByRole('region', { name: 'TMDB' });
    const input = tmdb.getByLabel('API key or read access token');
    const test = tmdb.getByRole('button', { name: 'Test', exact: true });
    await input.waitFor();
    // Nothing typed, nothing saved: nothing to test.
    expect(await test.isDisabled()).toBe(true);

    const wrong = 'pasted-wrong-key-4821';
    await input.fill(wrong);
    expect(await test.isEnabled()).toBe(true);
    await test.click();
    const refused = tmdb.getByRole('alert');
    await refused.getByText(/TMDB rejected this key \(TMDB said: "Invalid API key/).waitFor();
    expect(await page.locator('body').innerText()).not.toContain(wrong);
    expect(savedKey()).toBe('');
    await ui.screenshot('63-key-typed-refused');

    // Typing again makes the answer stale: it goes.
    await input.fill(fakes!.tmdbApiKey);
    await refused.waitFor({ state: 'detached' });
    await test.click();
    await tmdb.getByRole('status').getByText('✓ TMDB accepted the key.').waitFor();
    expect(savedKey()).toBe(''); // tested, not saved
    await ui.screenshot('64-key-typed-accepted');

    await tmdb.getByRole('button', { name: 'Save' }).click();
    await expect.poll(savedKey).toBe(fakes!.tmdbApiKey);
    await tmdb.getByRole('status').getByText('✓ TMDB accepted the key.').waitFor();
    expect(await input.inputValue()).toBe('');

    // With the field empty, Test tries the saved key; a wrong key typed over it leaves it saved.
    await input.fill('another-wrong-key-9930');
    await test.click();
    await tmdb
      .getByRole('alert')
      .getByText(/TMDB rejected this key/)
      .waitFor();
    expect(savedKey()).toBe(fakes!.tmdbApiKey);
    await input.fill('');
    await tmdb.getByRole('alert').waitFor({ state: 'detached' });
    await test.click();
    await tmdb.getByRole('status').getByText('✓ TMDB accepted the key.').waitFor();
    expect(ui.errors).toEqual([]);
  }, 60_000);
});
