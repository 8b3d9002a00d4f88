import { useState } from 'react';
import type { ItemDetail } from '../../../shared/api/library.ts';
import { FIELD_DEFS, FIELD_NAMES, type CastMember, type FieldName, type Rating } from '../../../shared/fields.ts';
import { useClient } from '../app/bridge.tsx';
import { useAction } from '../components/ui.tsx';
import { LockIcon } from './LibraryView.tsx';

/**
 * The item's metadata fields. An edit is saved as the user's value and locks the field, so a
 * later refresh from TMDB never overwrites it; the lock can be toggled on its own.
 */
export function FieldsPanel({ item, onChanged }: { item: ItemDetail; onChanged: () => void }) {
  const locked = new Set(item.lockedFields);
  return (
    <div className="card fields">
      <p className="muted small fields-intro">
        Editing a field locks it: refreshing from TMDB keeps your text. Unlock to let it update again.
      </p>
      <dl>
        {FIELD_NAMES.map((f) => (
          <FieldRow
            key={f}
            itemId={item.id}
            field={f}
            value={item.fields[f]}
            locked={locked.has(f)}
            onChanged={onChanged}
          />
        ))}
      </dl>
    </div>
  );
}

const EDITABLE_KINDS = new Set(['text', 'longtext', 'number', 'list']);

function FieldRow({
  itemId,
  field,
  value,
  locked,
  onChanged,
}: {
  itemId: number;
  field: FieldName;
  value: unknown;
  locked: boolean;
  onChanged: () => void;
}) {
  const client = useClient();
  const { run, busy } = useAction();
  const def = FIELD_DEFS[field];
  const [draft, setDraft] = useState<string | null>(null);
  const editable = EDITABLE_KINDS.has(def.kind);
  const id = `field-${field}`;

  const save = async () => {
    if (draft === null) return;
    let parsed: unknown = draft;
    if (def.kind === 'number') {
      const n = Number(draft);
      if (draft.trim() === '' || !Number.isFinite(n)) return;
      parsed = n;
    } else if (def.kind === 'list') {
      parsed = draft
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    }
    const ok = await run(
      'save',
      () => client.call('field-set', { itemId, field, value: parsed }),
      `${def.label} saved and locked`,
    );
    if (ok) {
      setDraft(null);
      onChanged();
    }
  };

  const toggleLock = () =>
    void run(
      'lock',
      () => client.call(locked ? 'field-unlock' : 'field-lock', { itemId, field }),
      locked ? `${def.label} unlocked` : `${def.label} locked`,
    ).then(onChanged);

  return (
    <div className={`field-line ${locked ? 'is-locked' : ''}`}>
      <dt>
        <label htmlFor={id}>{def.label}</label>
      </dt>
      <dd>
        {draft === null ? (
          <div className="field-value" onDoubleClick={() => editable && setDraft(toText(def.kind, value))}>
            {renderValue(def.kind, value)}
          </div>
        ) : (
          <form
            className="field-edit"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            {def.kind === 'longtext' ? (
              <textarea
                id={id}
                className="input"
                value={draft}
                autoFocus
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
              />
            ) : (
              <input
                id={id}
                className="input"
                type={def.kind === 'number' ? 'number' : 'text'}
                value={draft}
                autoFocus
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
                placeholder={def.kind === 'list' ? 'Comma-separated' : undefined}
              />
            )}
            <button type="submit" className="btn btn-primary btn-small" disabled={busy !== null}>
              Save
            </button>
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </form>
        )}
      </dd>
      <div className="field-actions">
        {editable && draft === null && (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            aria-label={`Edit ${def.label}`}
            onClick={() => setDraft(toText(def.kind, value))}
          >
            Edit
          </button>
        )}
        <button
          type="button"
          className={`btn btn-small btn-icon lock-btn ${locked ? 'btn-on' : 'btn-ghost'}`}
          aria-pressed={locked}
          aria-label={locked ? `${def.label} is locked; unlock` : `Lock ${def.label}`}
          title={locked ? 'Locked: automation keeps this value' : 'Unlocked: refreshes may update it'}
          disabled={busy !== null}
          onClick={toggleLock}
        >
          <LockIcon open={!locked} />
        </button>
      </div>
    </div>
  );
}

function toText(kind: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (kind === 'list' && Array.isArray(value)) return value.join(', ');
  return String(value);
}

function renderValue(kind: string, value: unknown) {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0))
    return <span className="muted">—</span>;
  switch (kind) {
    case 'list':
      return (
        <span className="tags">
          {(value as string[]).map((v) => (
            <span key={v} className="tag">
              {v}
            </span>
          ))}
        </span>
      );
    case 'ratings':
      return (value as Rating[])
        .map((r) => `${r.source} ${r.value.toFixed(1)}/${r.max} (${r.votes.toLocaleString()} votes)`)
        .join(' · ');
    case 'cast': {
      const cast = value as CastMember[];
      const shown = cast.slice(0, 12);
      return (
        <span>
          {shown.map((c) => `${c.name}${c.role ? ` as ${c.role}` : ''}`).join(', ')}
          {cast.length > shown.length && <span className="muted"> and {cast.length - shown.length} more</span>}
        </span>
      );
    }
    case 'longtext':
      return <p className="long">{String(value)}</p>;
    default:
      return String(value);
  }
}
