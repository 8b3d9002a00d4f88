import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { canMount, filesUnder, makeItem, mountTmpfs } from './cache-fixtures.ts';

const DAY = 24 * 60 * 60 * 1000;

let t: TestEngine;
let unmount: (() => void) | undefined;
beforeEach(async () => {
  t = await makeTestEngine();
});
afterEach(async () => {
  unmount?.();
  unmount = undefined;
  await t.cleanup();
});

const bin = () => t.engine.services.cache.recycle;

function libraryFile(name = 'Heat-poster.jpg', content = 'old poster bytes'): string {
  const dir = path.join(t.tempDir('lib'), 'Heat (1995)');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('the recycle bin', () => {
  it('moves a file into <data>/recycle/<day>/<id>-<name> and restores it to where it was', async () => {
    const itemId = await makeItem(t);
    const file = libraryFile();
    const entry = await bin().put(file, { itemId, reason: 'replaced by a new poster', kind: 'library-file' });
    expect(existsSync(file)).toBe(false);
    expect(entry).toMatchObject({
      original_path: file,
      stored_path: path.join(t.dataDir, 'recycle', '2026-01-15', `${entry.id}-Heat-poster.jpg`),
      bytes: 16,
      item_id: itemId,
      kind: 'library-file',
      reason: 'replaced by a new poster',
      deleted_at: t.clock.now(),
      expires_at: t.clock.now() + 30 * DAY,
      restored_at: null,
    });
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(entry.stored_path, 'utf8')).toBe('old poster bytes');

    const restored = await bin().restore(entry.id);
    expect(restored.restored_at).toBe(t.clock.now());
    expect(readFileSync(file, 'utf8')).toBe('old poster bytes');
    expect(filesUnder(path.join(t.dataDir, 'recycle'))).toEqual([]);
    await expect(bin().restore(entry.id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses to restore over a different file, and accepts an identical one', async () => {
    const file = libraryFile();
    const entry = await bin().put(file, { reason: 'removed', kind: 'library-file' });
    writeFileSync(file, 'the new poster');
    await expect(bin().restore(entry.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(file) });
    expect(readFileSync(file, 'utf8')).toBe('the new poster');
    expect(existsSync(entry.stored_path)).toBe(true);

    writeFileSync(file, 'old poster bytes');
    await bin().restore(entry.id);
    expect(readFileSync(file, 'utf8')).toBe('old poster bytes');
    expect(existsSync(entry.stored_path)).toBe(false);
  });

  it('refuses what it cannot do with clear errors', async () => {
    await expect(bin().put(path.join(t.tempDir(), 'nothing.jpg'), { reason: 'x', kind: 'library-file' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(bin().restore(999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('purges only what is past its retention unless asked for all, and a purged entry cannot be restored', async () => {
    const a = await bin().put(libraryFile('a.jpg'), { reason: 'old', kind: 'library-file' });
    t.clock.advance(20 * DAY);
    const b = await bin().put(libraryFile('b.jpg'), { reason: 'newer', kind: 'library-file' });
    t.clock.advance(11 * DAY);
    expect(await bin().purge({ expiredOnly: true })).toEqual({ purged: 1, bytes: 16 });
    expect(existsSync(a.stored_path)).toBe(false);
    expect(existsSync(b.stored_path)).toBe(true);
    await expect(bin().restore(a.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('purged') });
    expect((await bin().list()).map((e) => e.id)).toEqual([b.id]);
    expect((await bin().list({ includePurged: true })).map((e) => e.id)).toEqual([b.id, a.id]);
    expect(await bin().purge({ expiredOnly: false })).toEqual({ purged: 1, bytes: 16 });
    expect(filesUnder(path.join(t.dataDir, 'recycle'))).toEqual([]);
  });

  it.runIf(canMount)('moves across filesystems (a library on another disk) and back', async () => {
    const libRoot = t.tempDir('nas');
    unmount = mountTmpfs(libRoot, 'size=1m');
    const dir = path.join(libRoot, 'Heat (1995)');
    mkdirSync(dir);
    const file = path.join(dir, 'Heat.nfo');
    writeFileSync(file, '<movie/>');
    const entry = await bin().put(file, { reason: 'replaced', kind: 'library-file' });
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(entry.stored_path, 'utf8')).toBe('<movie/>');
    await bin().restore(entry.id);
    expect(readFileSync(file, 'utf8')).toBe('<movie/>');
    expect(filesUnder(dir)).toEqual(['Heat.nfo']);
  });
});
