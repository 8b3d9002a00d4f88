import { mkdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { makePublishFixture, type PublishFixture } from './publish-fixture.ts';

let f: PublishFixture;
afterEach(async () => f?.cleanup());

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await main(argv, { io, engineFactory: async () => f.engine });
  return { code, stdout, stderr };
}

describe('posterity publish, rebuild, verify', () => {
  it('publishes, verifies, finds a deleted file, rebuilds it', async () => {
    f = await makePublishFixture();
    const m = await f.addMovie({ folder: 'Heat (1995)', basename: 'Heat (1995)' });
    await f.choose(m.id, 'poster', await f.image(1));

    const usage = await run(['publish']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/give ITEM ids or --all/);
    expect((await run(['publish', '--all', '--mode', 'symlink'])).code).toBe(2);

    const dry = await run(['publish', '--all', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run: nothing was changed\. 2 operations planned for 1 items/);
    expect(f.files(m.folder)).toEqual([]);

    const published = await run(['publish', String(m.id)]);
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/Published 1 items \(copy\): 1 written, 1 linked, 0 unchanged/);

    expect((await run(['verify'])).stdout).toMatch(/Checked 1 items: 1 as they should be/);
    unlinkSync(path.join(m.folder, 'poster.jpg'));
    const drift = await run(['--json', 'verify']);
    expect(drift.code).toBe(1);
    expect(JSON.parse(drift.stdout).items[0].findings).toEqual([
      { kind: 'missing', path: path.join(m.folder, 'poster.jpg'), detail: 'published before, gone now' },
    ]);

    const rebuilt = await run(['rebuild']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/Rebuilt 1 items/);
    expect(f.files(m.folder)).toEqual(['Heat (1995)-poster.jpg', 'poster.jpg']);
  });

  it('says how many of the items it counts had errors', async () => {
    f = await makePublishFixture();
    const good = await f.addMovie({ folder: 'Heat (1995)', basename: 'Heat (1995)' });
    const bad = await f.addMovie({ folder: 'Ronin (1998)', basename: 'Ronin (1998)' });
    await f.choose(good.id, 'poster', await f.image(1));
    await f.choose(bad.id, 'poster', await f.image(2));
    // A folder where Ronin's poster should go: that file cannot be written.
    mkdirSync(path.join(bad.folder, 'Ronin (1998)-poster.jpg'), { recursive: true });
    const r = await run(['publish', '--all']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Published 2 items, 1 of them with errors \(below\) \(copy\)/);
    expect(r.stdout).toMatch(new RegExp(`item ${bad.id}: `));
  });
});
