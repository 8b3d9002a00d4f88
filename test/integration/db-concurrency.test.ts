import BetterSqlite3 from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { openDatabase, type OpenedDatabase } from '../../main/core/db/database.ts';
import { immediateTransaction } from '../../main/core/db/write-lock.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.join(here, '..', '..');
const databaseModule = pathToFileURL(path.join(repoRoot, 'main', 'core', 'db', 'database.ts')).href;
const writeLockModule = pathToFileURL(path.join(repoRoot, 'main', 'core', 'db', 'write-lock.ts')).href;

/**
 * One writer process: waits for the start signal, then runs `rounds` read-then-write
 * transactions on a shared counter, through kysely (`kysely`) or raw better-sqlite3 (`raw`).
 * Prints `{ ok, failures }` as its last line.
 */
const CHILD = `
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
const { openDatabase } = await import(${JSON.stringify(databaseModule)});
const { immediateTransaction } = await import(${JSON.stringify(writeLockModule)});
const [file, mode, rounds, go] = process.argv.slice(2);
const opened = await openDatabase(file);
process.stdout.write('ready\\n');
while (!existsSync(go)) await sleep(5);
const failures = [];
let ok = 0;
const read = () => Number(opened.sqlite.prepare("select value from settings where key = 'counter'").pluck().get());
const write = (n) => opened.sqlite.prepare("update settings set value = ? where key = 'counter'").run(String(n));
const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
for (let i = 0; i < Number(rounds); i++) {
  try {
    if (mode === 'kysely') {
      await opened.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('settings').select('value').where('key', '=', 'counter').executeTakeFirstOrThrow();
        await sleep(1);
        await trx.updateTable('settings').set({ value: String(Number(row.value) + 1) }).where('key', '=', 'counter').execute();
      });
    } else {
      immediateTransaction(opened.sqlite, () => { const n = read(); spin(1); write(n + 1); });
      await sleep(0);
    }
    ok++;
  } catch (err) {
    failures.push(String(err?.name) + ' ' + String(err?.code) + ': ' + String(err?.message));
  }
}
await opened.close();
process.stdout.write(JSON.stringify({ ok, failures }) + '\\n');
`;

interface ChildResult {
  ok: number;
  failures: string[];
}

function startWriter(dir: string, file: string, mode: 'kysely' | 'raw', rounds: number, go: string) {
  const script = path.join(dir, 'writer.mjs');
  if (!existsSync(script)) writeFileSync(script, CHILD);
  const child = spawn(process.execPath, ['--import', 'tsx', script, file, mode, String(rounds), go], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => (out.includes('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
    child.on('exit', () => reject(new Error(`writer exited before it was ready: ${err}`)));
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`writer failed (exit ${code}): ${err || out}`));
      else resolve(JSON.parse(last) as ChildResult);
    });
  });
  done.catch(() => undefined);
  return { ready, done };
}

const dirs: string[] = [];
const toClose: OpenedDatabase[] = [];
afterEach(async () => {
  for (const o of toClose.splice(0)) await o.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'posterity-dbc-'));
  dirs.push(d);
  return d;
};

describe('several processes writing one database', () => {
  it('queues read-then-write transactions from other processes instead of failing with "database is locked"', async () => {
    const dir = tmp();
    const file = path.join(dir, 'posterity.db');
    const setup = await openDatabase(file);
    await setup.db.insertInto('settings').values({ key: 'counter', value: '0', updated_at: 0 }).execute();
    await setup.close();

    const go = path.join(dir, 'go');
    const rounds = 60;
    const writers = [
      startWriter(dir, file, 'kysely', rounds, go),
      startWriter(dir, file, 'kysely', rounds, go),
      startWriter(dir, file, 'raw', rounds, go),
    ];
    await Promise.all(writers.map((w) => w.ready));
    writeFileSync(go, '');
    const results = await Promise.all(writers.map((w) => w.done));

    const failures = results.flatMap((r) => r.failures);
    expect(failures).toEqual([]);
    expect(results.map((r) => r.ok)).toEqual([rounds, rounds, rounds]);
    const check = new BetterSqlite3(file, { readonly: true });
    const counter = check.prepare("select value from settings where key = 'counter'").pluck().get();
    check.close();
    // No update was lost: every transaction saw the one before it.
    expect(Number(counter)).toBe(rounds * 3);
  }, 20_000);
});

describe('a database another process keeps busy', () => {
  async function heldByAnother() {
    const dir = tmp();
    const file = path.join(dir, 'posterity.db');
    const opened = await openDatabase(file);
    toClose.push(opened);
    await opened.db.insertInto('settings').values({ key: 'counter', value: '0', updated_at: 0 }).execute();
    // Stands in for the other process; a short timeout keeps the test quick.
    opened.sqlite.pragma('busy_timeout = 50');
    const other = new BetterSqlite3(file);
    other.exec('begin immediate');
    other.prepare("update settings set value = '1' where key = 'counter'").run();
    return { opened, release: () => (other.exec('rollback'), other.close()) };
  }

  it('refuses a kysely transaction with a plain message once the wait is over', async () => {
    const { opened, release } = await heldByAnother();
    try {
      const attempt = opened.db.transaction().execute(async (trx) => {
        await trx.selectFrom('settings').selectAll().execute();
        await trx.updateTable('settings').set({ value: '2' }).execute();
      });
      await expect(attempt).rejects.toBeInstanceOf(ApiError);
      await expect(attempt).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/^Another Posterity process kept the database busy/),
      });
      // The connection is usable again afterwards.
      expect(opened.sqlite.inTransaction).toBe(false);
    } finally {
      release();
    }
    await opened.db.updateTable('settings').set({ value: '3' }).execute();
    const row = await opened.db.selectFrom('settings').select('value').executeTakeFirstOrThrow();
    expect(row.value).toBe('3');
  });

  it('refuses a single write and a raw transaction with the same message', async () => {
    const { opened, release } = await heldByAnother();
    try {
      await expect(opened.db.updateTable('settings').set({ value: '2' }).execute()).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/^Another Posterity process kept the database busy/),
      });
      const raw = () =>
        immediateTransaction(opened.sqlite, () => opened.sqlite.prepare("update settings set value = '2'").run());
      expect(raw).toThrow(/^Another Posterity process kept the database busy/);
      expect(opened.sqlite.inTransaction).toBe(false);
    } finally {
      release();
    }
  });
});
