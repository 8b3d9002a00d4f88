import { afterEach, describe, expect, it } from 'vitest';
import { getFields, getLockedFields, unlockField, writeFields } from '../../main/core/db/fields-repo.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { insertLibrary, insertMovie } from '../helpers/seed.ts';

let t: TestEngine;
afterEach(async () => t?.cleanup());

async function itemWithLibrary(): Promise<number> {
  const db = t.engine.services.db;
  const now = t.clock.now();
  const libraryId = await insertLibrary(db, now, { path: '/movies' });
  return insertMovie(db, now, libraryId, { folder: '/movies/A', title: 'A', basename: 'A' });
}

describe('item fields and their locks', () => {
  it('locks a field the user edits, and automation then leaves it alone', async () => {
    t = await makeTestEngine();
    const db = t.engine.services.db;
    const id = await itemWithLibrary();
    await writeFields(db, id, { title: 'My Title', plot: 'Mine' }, 'user', 1);
    expect(await getLockedFields(db, id)).toEqual(expect.arrayContaining(['title', 'plot']));

    const result = await writeFields(db, id, { title: 'Provider Title', plot: 'Theirs', tagline: 'New' }, 'tmdb', 2);
    expect(result.skippedLocked.sort()).toEqual(['plot', 'title']);
    expect(result.written).toEqual(['tagline']);
    expect(await getFields(db, id)).toMatchObject({ title: 'My Title', plot: 'Mine', tagline: 'New' });
    expect((await db.selectFrom('items').select('title').where('id', '=', id).executeTakeFirstOrThrow()).title).toBe(
      'My Title',
    );
  });

  it('lets automation write again once the user unlocks, and mirrors title and year onto the item', async () => {
    t = await makeTestEngine();
    const db = t.engine.services.db;
    const id = await itemWithLibrary();
    await writeFields(db, id, { year: 1999 }, 'user', 1);
    await unlockField(db, id, 'year');
    await writeFields(db, id, { year: 2001, title: 'Fresh' }, 'tmdb', 2);
    const row = await db.selectFrom('items').select(['title', 'year']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Fresh', year: 2001 });
    expect(await getLockedFields(db, id)).toEqual([]);
  });
});
