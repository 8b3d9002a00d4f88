import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../main/cli/commands/serve.ts';
import { startDemo, type Demo } from '../../main/cli/demo.ts';
import { inProcessClient } from '../../main/core/api/in-process-client.ts';
import { chromiumAvailable, ensureFreshRenderer, openBrowser } from './harness.ts';

/** `posterity serve --demo`: fake services, a sample library, labelled as a demo, cleaned up after. */
describe('the demo', () => {
  let demo: Demo;
  let app: RunningApp;

  beforeAll(async () => {
    demo = await startDemo({ movieCount: 6 });
    app = await startApp(demo.engine, { stdout: { write: () => true }, stderr: { write: () => true } }, { port: 0 });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await demo?.close();
  });

  it('has a scanned sample library, fake keys, and says it is a demo', async () => {
    const client = inProcessClient(demo.engine.dispatch);
    const status = await client.call('status', {});
    expect(status.demo).toBe(true);
    expect(status.items.total).toBe(6);
    expect(status.providers.tmdb).toMatchObject({ configured: true });
    expect(status.providers.tmdb.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect((await client.call('config-get', { key: 'ui.firstRunDone' })).value).toBe(true);
  });

  it('finds and chooses artwork in the background, as automation does', async () => {
    const client = inProcessClient(demo.engine.dispatch);
    await expect
      .poll(async () => (await client.call('items-list', { missingArt: false, limit: 10 })).total, {
        timeout: 45_000,
        interval: 500,
      })
      .toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(!chromiumAvailable())('labels the window as a demo', async () => {
    await ensureFreshRenderer();
    const ui = await openBrowser(app.url);
    try {
      await ui.page.getByRole('note').filter({ hasText: 'Demo' }).waitFor();
      await ui.page.getByRole('listbox', { name: 'Movies' }).getByRole('option').first().waitFor();
      await ui.page.waitForTimeout(500);
      await ui.screenshot('00-demo-library');
    } finally {
      await ui.close();
    }
  });

  it('removes its temporary folder when it stops', async () => {
    const root = demo.root;
    await app.close();
    await demo.close();
    expect(existsSync(root)).toBe(false);
  });
});
