import { fieldValueSchema, type FieldResult } from '../../../shared/api/artwork.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import { FIELD_DEFS, type ItemFields } from '../../../shared/fields.ts';
import { assertFieldName, getFields, getLockedFields, lockField, unlockField, writeFields } from '../db/fields-repo.ts';
import type { Services } from '../services.ts';
import { requireItem } from './item-eval.ts';

async function fieldResult(s: Services, itemId: number, field: FieldResult['field']): Promise<FieldResult> {
  const [fields, locked] = await Promise.all([getFields(s.db, itemId), getLockedFields(s.db, itemId)]);
  return { itemId, field, value: fields[field] ?? null, locked: locked.includes(field) };
}

/** A user edit: validated against the field's kind, written with source 'user', which locks it. */
export async function setField(s: Services, itemId: number, name: string, value: unknown): Promise<FieldResult> {
  const field = assertFieldName(name);
  await requireItem(s.db, itemId);
  const parsed = fieldValueSchema(field).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ApiError(
      'bad_request',
      `Not a valid ${FIELD_DEFS[field].label.toLowerCase()}${where}: ${issue?.message ?? 'invalid'}`,
      'value',
    );
  }
  await s.db
    .transaction()
    .execute((trx) => writeFields(trx, itemId, { [field]: parsed.data } as ItemFields, 'user', s.clock.now()));
  s.events.emit({ type: 'items-changed', itemIds: [itemId] });
  return fieldResult(s, itemId, field);
}

export async function setFieldLock(s: Services, itemId: number, name: string, locked: boolean): Promise<FieldResult> {
  const field = assertFieldName(name);
  await requireItem(s.db, itemId);
  if (locked) await lockField(s.db, itemId, field, s.clock.now());
  else await unlockField(s.db, itemId, field);
  s.events.emit({ type: 'items-changed', itemIds: [itemId] });
  return fieldResult(s, itemId, field);
}
