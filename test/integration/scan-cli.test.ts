import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { jpeg, makeTree } from './scan-fixtures.ts';

function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  return main(argv, { io, env: {} }).then((code) => ({ code, stdout, stderr }));
}

describe('posterity library / scan / items commands', () => {
  let base: string;
  let data: string;
  let root: string;
  const cli = (...args: string[]) => run(['--data-dir', data, ...args]);

  beforeAll(async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'posterity-scan-cli-'));
    data = path.join(base, 'data');
    root = path.join(base, 'Movies');
    makeTree(root, {
      'Heat (1995)/Heat.mkv': { size: 1_000_000_000 },
      'Heat (1995)/poster.jpg': await jpeg(300, 450, 61),
      'Night\nShift (1999)/Night Shift.mkv': { size: 1_000_000_001 },
      'Empty (2001)/Empty.mkv': '',
    });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('adds a library (relative paths resolved) and lists it', async () => {
    const cwd = process.cwd();
    process.chdir(base);
    try {
      const added = await cli('library', 'add', 'Movies');
      expect(added.code).toBe(0);
      expect(added.stdout).toContain(`Added library 1: ${root}`);
    } finally {
      process.chdir(cwd);
    }
    const again = await cli('library', 'add', root);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already library 1/);
    const list = await cli('library', 'list');
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ITEMS/);
    expect(list.stdout).toContain('Movies');
  });

  it('scans with a summary, problems listed, names made printable', async () => {
    const r = await cli('scan', '--library', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Scanned 4 folders \(0 unchanged\)/);
    expect(r.stdout).toMatch(/added 3, updated 0, unchanged 0, moved 0, missing 0/);
    expect(r.stdout).toMatch(/1 problem:\n {2}#\d+ .*Empty\.mkv: The video file is empty/);
    const json = JSON.parse((await cli('--json', 'scan')).stdout);
    expect(json).toMatchObject({ added: 0, unchanged: 3, unchangedFolders: 4 });
  });

  it('lists items with filters, as a table or JSON', async () => {
    const table = await cli('items', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TITLE\s+YEAR\s+STATE\s+ART/);
    expect(table.stdout).toMatch(/Heat\s+1995\s+new\s+P········/);
    expect(table.stdout).toContain('! The video file is empty');
    const missing = JSON.parse((await cli('--json', 'items', 'list', '--missing-art')).stdout);
    expect(missing.items.map((i: { title: string }) => i.title).sort()).toEqual(['Empty', 'Heat', 'Night Shift']);
    const search = JSON.parse((await cli('items', 'list', '--json', '--search', 'heat')).stdout);
    expect(search.total).toBe(1);
    expect((await cli('items', 'list', '--state', 'new', '--errors')).stdout).toContain('Empty');
    expect((await cli('items', 'list', '--state', 'lost')).code).toBe(2);
  });

  it('refuses an unknown library and bad paging in the options’ own words', async () => {
    const unknown = await cli('items', 'list', '--library', '999');
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'posterity: No library with id 999\n' });
    const limit = await cli('items', 'list', '--limit', '-1');
    expect(limit.code).toBe(2);
    expect(limit.stderr).toBe(
      'posterity: --limit must be at least 1\n' +
        'Usage: posterity items list [--missing-art] [--state S] [--search Q] [--errors] [--library ID] [--limit N] [--offset N]\n',
    );
    expect((await cli('items', 'list', '--offset', '-3')).stderr).toContain('posterity: --offset must be at least 0\n');
    expect((await cli('items', 'list', '--library', '0')).stderr).toContain('--library must be a positive number');
  });

  it('shows one item', async () => {
    const heat = JSON.parse((await cli('--json', 'items', 'list', '--search', 'Heat')).stdout).items[0];
    const shown = await cli('items', 'show', String(heat.id));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`#${heat.id} Heat (1995)  [new]`);
    expect(shown.stdout).toMatch(/Artwork:\n {4}poster\s+original\s+[0-9a-f]{12}/);
    // Fields present are not locks: nothing is locked until the user locks it.
    expect(shown.stdout).toContain('\n  Locked fields: none\n');
    expect(shown.stdout).not.toContain('🔒');
    expect(shown.stdout).toMatch(/poster\.jpg {2}art:poster original 300×450/);
    const night = JSON.parse((await cli('--json', 'items', 'list', '--search', 'Night')).stdout).items[0];
    expect((await cli('items', 'show', String(night.id))).stdout).toContain('Night\\x0aShift (1999)');
    expect(JSON.parse((await cli('items', 'show', String(heat.id), '--json')).stdout).slots).toHaveLength(1);
    expect((await cli('items', 'show', '9999')).code).toBe(1);
    expect((await cli('items', 'show', 'abc')).code).toBe(2);
  });

  it('removes a library without touching files', async () => {
    const r = await cli('library', 'remove', '1');
    expect(r.stdout).toContain('Removed library 1 (3 items forgotten; no file was touched).');
    expect((await cli('items', 'list')).stdout).toContain('No items.');
  });
});

describe('posterity scan when a library folder cannot be read', () => {
  let base: string;
  let data: string;
  let root: string;
  const cli = (...args: string[]) => run(['--data-dir', data, ...args]);
  const ENTITY_NFO = '<!DOCTYPE movie [<!ENTITY t "Real Title">]><movie><title>&t;</title><year>2000</year></movie>';

  beforeAll(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'posterity-scan-offline-'));
    data = path.join(base, 'data');
    root = path.join(base, 'Share');
    makeTree(root, { 'Folder Name (2000)/movie.mkv': { size: 1000 }, 'Folder Name (2000)/movie.nfo': ENTITY_NFO });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('says so in scan --help', async () => {
    const help = await run(['scan', '--help']);
    expect(help.stdout).toMatch(/exits 1 when a library folder is missing, unreadable or empty/);
  });

  it('reports an NFO entity it does not expand and takes the title from the folder', async () => {
    expect((await cli('library', 'add', root)).code).toBe(0);
    const scan = await cli('scan');
    expect(scan.code).toBe(0);
    expect(scan.stdout).toContain(
      'movie.nfo: The NFO uses an entity (&t;) that Posterity does not expand; the title was taken from the folder name',
    );
    const items = JSON.parse((await cli('--json', 'items', 'list')).stdout).items;
    expect(items).toMatchObject([{ title: 'Folder Name', year: 2000 }]);
  });

  it('exits 1 when the folder is empty (an unmounted share) or gone, keeping the message', async () => {
    rmSync(path.join(root, 'Folder Name (2000)'), { recursive: true });
    const empty = await cli('scan');
    expect(empty.code).toBe(1);
    expect(empty.stdout).toContain(`The library folder ${root} is empty (is the drive or share mounted?)`);
    expect(empty.stderr).toBe(`posterity: library 1 could not be read: ${root}\n`);
    rmSync(root, { recursive: true });
    const gone = await cli('scan', '--library', '1');
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain(`The library folder ${root} cannot be reached`);
    const json = await cli('--json', 'scan');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).errors[0].path).toBe(root);
  });
});

describe('posterity library add ~/…', () => {
  it('expands a leading ~ the shell left alone to the home folder, but not ~user', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'posterity-home-'));
    const data = path.join(home, '.data');
    makeTree(home, { 'Movies/x.txt': '' });
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const added = await run(['--data-dir', data, 'library', 'add', '~/Movies']);
      expect(added.code).toBe(0);
      expect(added.stdout).toContain(`Added library 1: ${path.join(home, 'Movies')}`);
      const other = await run(['--data-dir', data, 'library', 'add', '~nobody/Movies']);
      expect(other.stderr).toContain(`No such folder: ${path.resolve('~nobody/Movies')}`);
    } finally {
      process.env.HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
