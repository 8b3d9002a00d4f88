import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../main/core/engine.ts';
import type { WatchChange } from '../../main/core/library/index.ts';
import { createLogger } from '../../main/core/log.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

let daemon: TestEngine | undefined;
let cli: Engine | undefined;
afterEach(async () => {
  await cli?.close();
  await daemon?.cleanup();
  cli = daemon = undefined;
});

const movie = (root: string, name: string) => {
  mkdirSync(path.join(root, name), { recursive: true });
  writeFileSync(path.join(root, name, `${name}.mkv`), 'video');
};

describe('the process running the jobs follows what other processes change', () => {
  it('takes up settings and libraries changed from the command line while it runs', async () => {
    daemon = await makeTestEngine();
    const d = daemon.engine.services;
    await d.settings.set('automation.level', 'off');
    expect(await d.jobs.start()).toBe(true);

    // `posterity config set` and `posterity library add` in another process, beside it.
    cli = await createEngine({ dataDir: daemon.dataDir, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
    await cli.services.settings.set('cache.gcGraceDays', 3);
    const lib = await cli.services.library.addLibrary({ path: daemon.tempDir('added-later') });

    await expect.poll(() => d.settings.get('cache.gcGraceDays'), { timeout: 15_000, interval: 200 }).toBe(3);
    // Its watcher now covers the new library: a movie dropped there is scanned without a word.
    await new Promise((r) => setTimeout(r, 6000)); // one more turn, so the watcher is armed
    movie(lib.path, 'Heat (1995)');
    await expect
      .poll(async () => (await d.db.selectFrom('items').select('title').execute()).map((i) => i.title), {
        timeout: 20_000,
        interval: 250,
      })
      .toEqual(['Heat']);
  }, 60_000);

  it('watches a library folder again when another folder takes its place (unmounted and mounted again)', async () => {
    daemon = await makeTestEngine();
    const d = daemon.engine.services;
    const root = daemon.tempDir('movies');
    const lib = await d.library.addLibrary({ path: root });
    const changes: WatchChange[] = [];
    const stop = await d.library.watch('all', (c) => changes.push(c), { debounceMs: 100 });
    try {
      // The old folder goes, a new one appears at the same path (what a remount looks like).
      renameSync(lib.path, `${lib.path}.old`);
      mkdirSync(lib.path);
      await d.library.syncWatching();
      // Back: the whole library is looked at again, and changes in it are seen again.
      await expect
        .poll(() => changes.some((c) => c.folder === lib.path && c.reason === 'added'), { timeout: 10_000 })
        .toBe(true);
      movie(lib.path, 'Ronin (1998)');
      await expect
        .poll(() => changes.some((c) => c.folder === path.join(lib.path, 'Ronin (1998)')), { timeout: 10_000 })
        .toBe(true);
    } finally {
      stop();
      await d.library.stopWatching();
    }
  });

  it('scans an offline library whole once it answers again, and the scheduler sees it back at once', async () => {
    daemon = await makeTestEngine();
    const d = daemon.engine.services;
    const root = daemon.tempDir('movies');
    movie(root, 'Heat (1995)');
    const lib = await d.library.addLibrary({ path: root });
    await d.library.scanLibrary(lib.id);
    renameSync(lib.path, `${lib.path}.away`);
    await d.library.scanFolder(path.join(lib.path, 'Heat (1995)'));
    expect((await d.library.getLibrary(lib.id))?.state).toBe('missing');
    renameSync(`${lib.path}.away`, lib.path);
    movie(lib.path, 'Thief (1981)');

    expect((await d.jobs.tick()).rescans).toBe(1);
    const queued = await daemon.client.call('jobs-list', { kind: 'scan-library' });
    expect(queued[0]?.payload.reason).toBe('the library folder is back');
    // A change reported in one folder brings the whole library back.
    await d.library.scanFolder(path.join(lib.path, 'Thief (1981)'));
    const items = await d.db.selectFrom('items').select(['title', 'error']).orderBy('title').execute();
    expect(items).toEqual([
      { title: 'Heat', error: null },
      { title: 'Thief', error: null },
    ]);
    expect((await d.library.getLibrary(lib.id))?.state).toBe('ok');
  });
});
