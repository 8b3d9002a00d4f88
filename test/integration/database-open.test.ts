import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/core/db/database.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'posterity-db-'));

describe('opening the database', () => {
  it('creates and migrates a new file with WAL and foreign keys on', async () => {
    const file = path.join(tmp(), 'p.db');
    const opened = await openDatabase(file);
    expect(opened.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(opened.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = await opened.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['items', 'candidates', 'slots', 'blobs', 'jobs']));
    await opened.close();
  });

  it('reopens an existing database without losing rows', async () => {
    const file = path.join(tmp(), 'p.db');
    const first = await openDatabase(file);
    await first.db.insertInto('settings').values({ key: 'languages', value: '["de"]', updated_at: 1 }).execute();
    await first.close();
    const second = await openDatabase(file);
    const row = await second.db.selectFrom('settings').selectAll().executeTakeFirst();
    expect(row?.value).toBe('["de"]');
    await second.close();
  });

  it('refuses a damaged file and leaves it byte for byte as it was', async () => {
    const file = path.join(tmp(), 'p.db');
    writeFileSync(file, 'this is not a database, it is a shopping list\n'.repeat(200));
    const before = readFileSync(file);
    await expect(openDatabase(file)).rejects.toMatchObject({ code: 'io_error', message: expect.stringMatching(/damaged|not a Posterity database/) });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a database written by a newer version and leaves it untouched', async () => {
    const file = path.join(tmp(), 'p.db');
    await (await openDatabase(file)).close();
    const raw = new BetterSqlite3(file);
    raw.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
    raw.close();
    const before = readFileSync(file);
    await expect(openDatabase(file)).rejects.toMatchObject({ code: 'io_error', message: expect.stringContaining('newer version') });
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
