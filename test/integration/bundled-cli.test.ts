import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary } from '../../scripts/generate-library.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The stand-alone CLI as `npm run build` makes it, run where only its native modules can be
 * found (no tsx, no esbuild): what a packaged install has. Scanning a large new library there
 * must walk on the worker thread from the code the build carried, not bundle it at run time.
 */
describe('the bundled CLI', () => {
  let dir: string;
  let cli: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-bundled-'));
    const app = path.join(dir, 'app');
    execFileSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs'), 'cli', '--out', path.join(app, 'out')], {
      stdio: 'pipe',
    });
    mkdirSync(path.join(app, 'node_modules'));
    for (const native of ['better-sqlite3', 'sharp'])
      symlinkSync(path.join(repo, 'node_modules', native), path.join(app, 'node_modules', native), 'dir');
    cli = path.join(app, 'out', 'cli', 'posterity.mjs');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scans a large new library on its walk thread, finding every movie', async () => {
    const lib = await generateLibrary(path.join(dir, 'Movies'), { movies: 150, seed: 3 });
    const data = path.join(dir, 'data');
    const posterity = (...args: string[]) =>
      execFileSync(process.execPath, [cli, '--data-dir', data, ...args], { encoding: 'utf8', cwd: dir });
    posterity('library', 'add', lib.root);
    const summary = JSON.parse(posterity('--json', 'scan')) as { added: number };
    expect(summary.added).toBe(lib.movies.length);
    const log = readFileSync(path.join(data, 'logs', 'posterity.log'), 'utf8');
    expect(log).toContain('reading it on a worker thread');
    expect(log).not.toContain('could not start');
  }, 120_000);
});
