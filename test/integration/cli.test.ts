import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  return main(argv, { io, env }).then((code) => ({ code, stdout, stderr }));
}

const dataDir = () => mkdtempSync(path.join(os.tmpdir(), 'posterity-cli-'));

describe('the posterity command', () => {
  it('lists its commands with --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['status', 'config get', 'config set', 'config list', 'serve']) expect(r.stdout).toContain(c);
  });

  it('lists a group’s subcommands, one line each, with `library --help` or a bare `items`', async () => {
    const library = await run(['library', '--help']);
    expect(library.code).toBe(0);
    expect(library.stdout).toBe(
      [
        'Usage: posterity library <command> [options]',
        '',
        'Commands:',
        '  library add     Add a movie library folder (nothing is written into it). Scan it next.',
        '  library list    List libraries with their item counts.',
        '  library move    Point a library at its new folder (disk swap, new mount point); items, choices and locks stay.',
        '  library remove  Forget a library and its items (files on disk are not touched).',
        '',
        'Run `posterity library <command> --help` for details.',
        '',
      ].join('\n'),
    );
    const items = await run(['items']);
    expect(items.code).toBe(2);
    expect(items.stdout).toMatch(/^ {2}items list {2}List items/m);
    expect(items.stdout).toMatch(/^ {2}items show {2}Show one item/m);
    expect(items.stdout).not.toContain('config');
    const wrong = await run(['library', 'frob']);
    expect(wrong).toMatchObject({
      code: 2,
      stderr: `posterity: Unknown command "library frob"\nRun 'posterity library --help' for its commands.\n`,
    });
  });

  it('prints status as JSON for scripts', async () => {
    const dir = dataDir();
    const r = await run(['--data-dir', dir, '--json', 'status']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dataDir: dir, libraries: 0 });
  });

  it('uses POSTERITY_DATA_DIR when no flag is given', async () => {
    const dir = dataDir();
    const r = await run(['--json', 'status'], { POSTERITY_DATA_DIR: dir });
    expect(JSON.parse(r.stdout).dataDir).toBe(dir);
  });

  it('sets and gets a setting, parsing JSON values', async () => {
    const dir = dataDir();
    expect((await run(['--data-dir', dir, 'config', 'set', 'tmdb.requestsPerSecond', '20'])).code).toBe(0);
    const r = await run(['--data-dir', dir, '--json', 'config', 'get', 'tmdb.requestsPerSecond']);
    expect(JSON.parse(r.stdout).value).toBe(20);
  });

  it('exits 2 on wrong usage and 1 on a failed operation', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['status', '--nope'])).code).toBe(2);
    const dir = dataDir();
    const bad = await run(['--data-dir', dir, 'config', 'set', 'naming.style', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('naming.style');
    const unknown = await run(['--data-dir', dir, 'config', 'get', 'no.such.key']);
    expect(unknown.code).toBe(1);
  });

  it('explains an unusable data folder', async () => {
    const r = await run(['--data-dir', '/proc/posterity-cannot-be-here', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data folder .* cannot be used/);
  });

  it('never prints an API key given in the environment', async () => {
    const dir = dataDir();
    const r = await run(['--data-dir', dir, '--json', 'config', 'list'], {
      POSTERITY_TMDB_API_KEY: 'abcdef-very-secret-0042',
    });
    expect(r.stdout).not.toContain('very-secret');
    expect(r.stdout).toContain('••••0042');
  });
});
