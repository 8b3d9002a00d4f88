import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../shared/api/index.ts';
import { setSlot } from '../../main/core/select/slots-repo.ts';
import { DOORS, openDoor, type DoorFixture } from '../helpers/doors.ts';
import { pictureBytes } from '../integration/publish-fixture.ts';
import { insertLibrary, insertMovie } from '../helpers/seed.ts';

async function seedMovie(
  f: DoorFixture,
  root: string,
  name: string,
  seed: number,
): Promise<{ id: number; folder: string }> {
  const s = f.engine.services;
  const now = s.clock.now();
  const libraryId =
    (await s.db.selectFrom('libraries').select('id').executeTakeFirst())?.id ??
    (await insertLibrary(s.db, now, { path: root }));
  const folder = path.join(root, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, `${name}.mkv`), 'video');
  const id = await insertMovie(s.db, now, libraryId, { folder, title: name, basename: name });
  const file = path.join(f.tempDir('img'), 'p.jpg');
  writeFileSync(file, await pictureBytes(seed));
  const blob = await s.cache.ingestFile(file, { provider: 'upload' });
  await setSlot(
    s.db,
    { itemId: id, type: 'poster', rank: 0, candidateId: null, blobSha: blob.sha256, chosenBy: 'auto', locked: false },
    now,
  );
  return { id, folder };
}

describe.each(DOORS)('publish API through the %s door', (door) => {
  let f: DoorFixture;
  afterEach(async () => f?.cleanup());

  it('refuses a call without itemIds or all, and with both', async () => {
    f = await openDoor(door);
    await expect(f.api.call('publish', {})).rejects.toMatchObject({ code: 'bad_request', field: 'itemIds' });
    await expect(f.api.call('publish', { itemIds: [1], all: true })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(f.api.call('publish', { itemIds: [0] })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(f.api.call('publish', { all: true, mode: 'symlink' } as never)).rejects.toMatchObject({
      code: 'bad_request',
      field: 'mode',
    });
    await expect(f.api.call('verify', { repair: 'yes' } as never)).rejects.toMatchObject({
      code: 'bad_request',
      field: 'repair',
    });
  });

  it('reports an unknown item as a per-item error, not a failed call', async () => {
    f = await openDoor(door);
    const r = await f.api.call('publish', { itemIds: [999] });
    expect(r.errors).toEqual([{ itemId: 999, reason: 'No item 999' }]);
  });

  it('dry run returns the plan; publish writes with progress; verify and rebuild agree it is whole', async () => {
    f = await openDoor(door);
    const root = f.tempDir('library');
    const a = await seedMovie(f, root, 'Alpha (2001)', 1);
    await seedMovie(f, root, 'Beta (2002)', 2);

    const dry = await f.api.call('publish', { all: true, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, items: 2, written: 0, mode: 'copy' });
    expect(dry.plan).toContainEqual({
      itemId: a.id,
      action: 'write',
      path: path.join(a.folder, 'Alpha (2001)-poster.jpg'),
      reason: 'new',
    });
    expect(dry.plan).toContainEqual({
      itemId: a.id,
      action: 'link',
      path: path.join(a.folder, 'poster.jpg'),
      reason: 'new',
    });

    const progress: Progress[] = [];
    const done = await f.api.call('publish', { all: true }, { onProgress: (p) => progress.push(p) });
    expect(done).toMatchObject({ dryRun: false, items: 2, written: 2, linked: 2, errors: [], plan: null });
    if (door === 'in-process') expect(progress.at(-1)).toMatchObject({ done: 2, total: 2 });

    expect(await f.api.call('verify', {})).toMatchObject({ checked: 2, clean: 2, items: [], repaired: null });
    const rebuilt = await f.api.call('rebuild', { dryRun: true });
    expect(rebuilt.plan!.every((p) => p.action === 'keep')).toBe(true);
  });
});
