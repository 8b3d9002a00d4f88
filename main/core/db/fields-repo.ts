import { ApiError } from '../../../shared/api/errors.ts';
import { FIELD_DEFS, FIELD_NAMES, isFieldName, type FieldName, type ItemFields } from '../../../shared/fields.ts';
import type { DbOrTx } from './database.ts';

export type FieldSource = 'nfo' | 'tmdb' | 'user';

export function assertFieldName(name: string): FieldName {
  if (!isFieldName(name))
    throw new ApiError('bad_request', `Unknown field "${name}"; the fields are ${FIELD_NAMES.join(', ')}`, 'field');
  return name;
}

/** Every stored field of an item, parsed. */
export async function getFields(db: DbOrTx, itemId: number): Promise<ItemFields> {
  const rows = await db.selectFrom('item_fields').select(['field', 'value']).where('item_id', '=', itemId).execute();
  const fields: Record<string, unknown> = {};
  for (const row of rows) {
    if (isFieldName(row.field)) fields[row.field] = JSON.parse(row.value);
  }
  return fields as ItemFields;
}

export async function getLockedFields(db: DbOrTx, itemId: number): Promise<FieldName[]> {
  const rows = await db.selectFrom('field_locks').select('field').where('item_id', '=', itemId).execute();
  return rows.map((r) => r.field).filter(isFieldName);
}

export async function lockField(db: DbOrTx, itemId: number, field: FieldName, now: number): Promise<void> {
  await db
    .insertInto('field_locks')
    .values({ item_id: itemId, field, locked_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function unlockField(db: DbOrTx, itemId: number, field: FieldName): Promise<void> {
  await db.deleteFrom('field_locks').where('item_id', '=', itemId).where('field', '=', field).execute();
}

/**
 * Writes fields from one source. Automated sources (nfo, tmdb) skip locked fields and report
 * what they skipped; a user edit always writes and locks the field. A provider also leaves alone
 * what the user's own NFO says, where the field's `fromNfo` rule is `fill` (reported as
 * `keptFromNfo`). Title, year and sort title are mirrored onto the item row, which lists and
 * sorts use.
 */
export async function writeFields(
  db: DbOrTx,
  itemId: number,
  fields: ItemFields,
  source: FieldSource,
  now: number,
): Promise<{ written: FieldName[]; skippedLocked: FieldName[]; keptFromNfo: FieldName[] }> {
  const locked = new Set(source === 'user' ? [] : await getLockedFields(db, itemId));
  const fromNfo = new Set(source === 'tmdb' ? await nfoFields(db, itemId) : []);
  const written: FieldName[] = [];
  const skippedLocked: FieldName[] = [];
  const keptFromNfo: FieldName[] = [];
  const rows: { item_id: number; field: FieldName; value: string; source: FieldSource; updated_at: number }[] = [];
  for (const [name, value] of Object.entries(fields) as [FieldName, unknown][]) {
    if (value === undefined) continue;
    if (locked.has(name)) {
      skippedLocked.push(name);
      continue;
    }
    if (fromNfo.has(name) && FIELD_DEFS[name].fromNfo === 'fill') {
      keptFromNfo.push(name);
      continue;
    }
    rows.push({ item_id: itemId, field: name, value: JSON.stringify(value), source, updated_at: now });
    written.push(name);
  }
  // One statement for all fields: enrichment writes a dozen per item, on a hot path.
  if (rows.length > 0) {
    await db
      .insertInto('item_fields')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['item_id', 'field']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          source: eb.ref('excluded.source'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
    if (source === 'user') {
      await db
        .insertInto('field_locks')
        .values(written.map((field) => ({ item_id: itemId, field, locked_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }
  const mirror: { title?: string; year?: number | null; sort_title?: string | null; updated_at: number } = {
    updated_at: now,
  };
  if (written.includes('title') && typeof fields.title === 'string' && fields.title) mirror.title = fields.title;
  if (written.includes('year')) mirror.year = typeof fields.year === 'number' ? fields.year : null;
  if (written.includes('sortTitle')) mirror.sort_title = fields.sortTitle ?? null;
  if (written.length > 0) await db.updateTable('items').set(mirror).where('id', '=', itemId).execute();
  return { written, skippedLocked, keptFromNfo };
}

/** Fields whose value came from the user's NFO (the scanner's source), not from a provider or an edit. */
async function nfoFields(db: DbOrTx, itemId: number): Promise<FieldName[]> {
  const rows = await db
    .selectFrom('item_fields')
    .select('field')
    .where('item_id', '=', itemId)
    .where('source', '=', 'nfo')
    .execute();
  return rows.map((r) => r.field).filter(isFieldName);
}
