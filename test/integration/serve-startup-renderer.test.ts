import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../main/cli/commands/serve.ts';
import { isDevelopmentBuild } from '../../main/cli/renderer-build.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

/* `serve` serves React's production build of the renderer, never a development build. */

const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
let t: TestEngine | undefined;
let app: RunningApp | undefined;
let tmp: string | undefined;

afterEach(async () => {
  await app?.close();
  await t?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  app = t = tmp = undefined;
});

describe('the renderer that serve serves', () => {
  it('is a production build', async () => {
    t = await makeTestEngine();
    app = await startApp(t.engine, quiet, { port: 0 });
    const html = await (await fetch(`${app.server.url}/`)).text();
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const res = await fetch(new URL(src, `${app.server.url}/`));
      expect(res.status).toBe(200);
      const js = await res.text();
      expect(js).not.toContain('Download the React DevTools');
      expect(js.length).toBeGreaterThan(1000);
    }
  }, 120_000);

  it('tells a development build from a production one', () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'posterity-renderer-'));
    mkdirSync(path.join(tmp, 'assets'));
    writeFileSync(
      path.join(tmp, 'index.html'),
      '<script type="module" crossorigin src="./assets/index-x.js"></script>',
    );
    writeFileSync(path.join(tmp, 'assets', 'index-x.js'), 'console.info("Download the React DevTools for a better…")');
    expect(isDevelopmentBuild(tmp)).toBe(true);
    writeFileSync(path.join(tmp, 'assets', 'index-x.js'), 'export{};');
    expect(isDevelopmentBuild(tmp)).toBe(false);
  });
});
