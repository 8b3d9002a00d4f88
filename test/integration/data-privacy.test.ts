import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDataDir } from '../../main/core/config/data-dir.ts';
import { openDatabase } from '../../main/core/db/database.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

const modeOf = (p: string) => statSync(p).mode & 0o777;

const roots: string[] = [];
const engines: TestEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.cleanup();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'posterity-priv-'));
  roots.push(d);
  return d;
};

async function insertSecret(file: string) {
  const opened = await openDatabase(file);
  await opened.db.insertInto('settings').values({ key: 'tmdb.apiKey', value: '"secret"', updated_at: 1 }).execute();
  return opened;
}

describe.skipIf(process.platform === 'win32')('the data folder and database are private to their owner', () => {
  it('creates a new data folder 0700 and the database with its -wal and -shm files 0600', async () => {
    const t = await makeTestEngine();
    engines.push(t);
    await t.engine.services.db
      .insertInto('settings')
      .values({ key: 'tmdb.apiKey', value: '"secret"', updated_at: 1 })
      .execute();
    expect(modeOf(t.dataDir)).toBe(0o700);
    const db = path.join(t.dataDir, 'posterity.db');
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      expect(existsSync(f), f).toBe(true);
      expect(modeOf(f), f).toBe(0o600);
    }
  });

  it('makes an older 0644 database private but leaves a folder the user shares with other files alone', async () => {
    const dir = tmp();
    chmodSync(dir, 0o755);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const file = path.join(dir, 'posterity.db');
    (await insertSecret(file)).sqlite.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o644);

    ensureDataDir(dir);
    const opened = await openDatabase(file);
    await opened.db.updateTable('settings').set({ value: '"other"' }).execute();
    expect(modeOf(dir)).toBe(0o755);
    expect(modeOf(path.join(dir, 'notes.txt'))).toBe(0o644);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
    await opened.close();
  });

  it('tightens an existing data folder that holds only what Posterity put there', async () => {
    const dir = path.join(tmp(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'logs'));
    mkdirSync(path.join(dir, 'cache'));
    writeFileSync(path.join(dir, 'server-token'), 'x', { mode: 0o600 });
    (await insertSecret(path.join(dir, 'posterity.db'))).sqlite.close();

    ensureDataDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('creates missing parents of a new data folder with the usual mode and only the folder private', () => {
    const root = tmp();
    const parent = path.join(root, 'share');
    const dir = path.join(parent, 'posterity');
    ensureDataDir(dir);
    expect(modeOf(dir)).toBe(0o700);
    const usual = path.join(root, 'usual');
    mkdirSync(usual);
    expect(modeOf(parent)).toBe(modeOf(usual));
  });
});
