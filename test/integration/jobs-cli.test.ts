import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { acquireWorkerLock } from '../../main/core/jobs/worker-lock.ts';
import { makeTestEngine } from '../helpers/engine.ts';

function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  return main(argv, { io, env: {} }).then((code) => ({ code, stdout, stderr }));
}

describe('posterity jobs', () => {
  it('queues, lists and cancels jobs, as text and as JSON', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-cli-'));
    const movies = mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-lib-'));
    expect((await run(['--data-dir', dir, 'library', 'add', movies])).code).toBe(0);
    const empty = await run(['--data-dir', dir, '--json', 'jobs', 'list']);
    expect(JSON.parse(empty.stdout)).toEqual([]);

    const add = await run(['--data-dir', dir, '--json', 'jobs', 'add', 'scan-library', '--library', '1']);
    expect(add.code).toBe(0);
    const [id] = JSON.parse(add.stdout).jobIds as number[];
    const text = await run(['--data-dir', dir, 'jobs', 'list', '--state', 'queued']);
    expect(text.stdout).toMatch(new RegExp(`^${id}\\s+scan-library\\s+queued`, 'm'));

    const cancel = await run(['--data-dir', dir, 'jobs', 'cancel', String(id)]);
    expect(cancel).toMatchObject({ code: 0 });
    expect(cancel.stdout).toContain(`Job #${id} (scan-library) is cancelled.`);
    const again = await run(['--data-dir', dir, 'jobs', 'cancel', String(id)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already finished');
    const listed = JSON.parse((await run(['--data-dir', dir, '--json', 'jobs', 'list', '--state', 'cancelled'])).stdout) as { id: number }[];
    expect(listed.map((j) => j.id)).toEqual([id]);
  });

  it('tells how many jobs wait in all, and cancels every waiting one (or those of a kind) at once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-cli-'));
    const movies = mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-lib-'));
    for (const name of ['Heat (1995)', 'Ronin (1998)', 'Thief (1981)']) {
      mkdirSync(path.join(movies, name));
      writeFileSync(path.join(movies, name, `${name}.mkv`), 'video');
    }
    expect((await run(['--data-dir', dir, 'library', 'add', movies])).code).toBe(0);
    expect((await run(['--data-dir', dir, 'scan'])).code).toBe(0);
    expect((await run(['--data-dir', dir, 'jobs', 'add', 'enrich-item', '1', '2', '3'])).code).toBe(0);
    expect((await run(['--data-dir', dir, 'jobs', 'add', 'publish-item', '1', '2'])).code).toBe(0);

    const list = await run(['--data-dir', dir, 'jobs', 'list', '--limit', '2']);
    expect(list.stdout).toContain('5 waiting jobs, 0 running, 0 failed; showing the newest 2 (--limit N for more)');
    const byKind = await run(['--data-dir', dir, 'jobs', 'cancel', '--queued', '--kind', 'publish-item']);
    expect(byKind).toMatchObject({ code: 0, stdout: 'Cancelled 2 waiting jobs (publish-item).\n' });
    const all = await run(['--data-dir', dir, '--json', 'jobs', 'cancel', '--queued']);
    expect(JSON.parse(all.stdout)).toEqual({ cancelled: 3 });
    expect((await run(['--data-dir', dir, 'jobs', 'list'])).stdout).toContain('0 waiting jobs, 0 running, 0 failed');
    expect((await run(['--data-dir', dir, 'jobs', 'cancel', '4', '--queued'])).code).toBe(2);
    expect((await run(['--data-dir', dir, 'jobs', 'cancel', '4', '--kind', 'gc'])).code).toBe(2);
  });

  it('status says which process runs the background jobs, or that none does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-cli-'));
    expect((await run(['--data-dir', dir, 'status'])).stdout).toMatch(
      /^Jobs: +0 queued, 0 running, 0 failed; no process runs them: start `posterity daemon` or the app$/m,
    );
    // A daemon (here: an engine of this process) takes the workers' lock.
    const lock = acquireWorkerLock(path.join(dir, 'jobs.lock'));
    try {
      const status = JSON.parse((await run(['--data-dir', dir, '--json', 'status'])).stdout);
      expect(status.jobs.runner).toEqual({ pid: process.pid, here: true });
      expect((await run(['--data-dir', dir, 'status'])).stdout).toContain(`run by process ${process.pid}`);
    } finally {
      if (lock.acquired) lock.release();
    }
  });

  it('exits 2 on wrong usage and 1 when the target does not exist', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-cli-'));
    expect((await run(['--data-dir', dir, 'jobs', 'list', '--state', 'sleeping'])).code).toBe(2);
    expect(await run(['--data-dir', dir, 'jobs', 'cancel'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('The job ID is needed (a positive number)'),
    });
    expect(await run(['--data-dir', dir, 'jobs', 'cancel', 'abc'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('The job ID must be a positive number, not "abc"'),
    });
    expect((await run(['--data-dir', dir, 'jobs', 'add', 'explode'])).code).toBe(2);
    expect((await run(['--data-dir', dir, 'jobs', 'cancel', '77'])).code).toBe(1);
    expect((await run(['--data-dir', dir, 'jobs', 'add', 'enrich-item', '5'])).code).toBe(1);
  });

  it('shows the webhook URLs to paste into Radarr', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-cli-'));
    const r = await run(['--data-dir', dir, 'webhook', 'info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Radarr: http:\/\/127\.0\.0\.1:\d+\/webhooks\/radarr\?secret=••••/);
    const json = JSON.parse((await run(['--data-dir', dir, '--json', 'webhook', 'info', '--reveal'])).stdout) as { secret: string };
    expect(json.secret).not.toContain('•');
  });
});

describe('the worker lock', () => {
  it('lets one process run the jobs of a data folder, and takes over from a dead one', async () => {
    const t = await makeTestEngine();
    try {
      const file = path.join(t.dataDir, 'jobs.lock');
      // A daemon killed with -9 left its lock behind (pid 2^22+1 is beyond Linux's pid range).
      writeFileSync(file, `${2 ** 22 + 1}\n`);
      expect(await t.engine.services.jobs.start({ watch: false })).toBe(true);
      // A second engine on the same folder (the app while a daemon runs) does not start workers.
      const other = acquireWorkerLock(file);
      expect(other.acquired).toBe(false);
      await t.engine.services.jobs.stop();
      const after = acquireWorkerLock(file);
      expect(after.acquired).toBe(true);
      if (after.acquired) after.release();
    } finally {
      await t.cleanup();
    }
  });
});
