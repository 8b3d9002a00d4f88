import { useEffect, useRef, useState } from 'react';
import type { LibraryFileView } from '../../../shared/api/library.ts';
import type { PublishSummary } from '../../../shared/api/publish.ts';
import { ASSET_TYPE_SPECS } from '../../../shared/asset-types.ts';
import { useApi, useClient, useEngineEvents } from '../app/bridge.tsx';
import { navigate } from '../app/router.ts';
import { ErrorMessage, Spinner, Switch, useAction } from '../components/ui.tsx';
import { formatRelative, pluralize } from '../lib/format.ts';
import { ArtworkPicker } from './ArtworkPicker.tsx';
import { FieldsPanel } from './FieldsPanel.tsx';
import { MatchPanel } from './MatchPanel.tsx';

type Tab = 'artwork' | 'details' | 'files';

const STATE_TEXT: Record<string, string> = {
  new: 'Not identified yet',
  identified: 'Identified',
  needs_match: 'Needs match',
  enriched: 'Artwork found',
  missing: 'Files missing',
};

export function ItemView({ id }: { id: number }) {
  const client = useClient();
  const item = useApi('item-get', { id }, []);
  const artwork = useApi('item-artwork', { itemId: id }, []);
  const [tab, setTab] = useState<Tab>('artwork');
  const [matching, setMatching] = useState(false);
  const { run, busy } = useAction();

  useEngineEvents((e) => {
    if (e.type === 'items-changed' && e.itemIds.includes(id)) {
      item.reload();
      artwork.reload();
    }
  });

  // Candidates found without previews (enriched by a job that stopped before scoring) get
  // theirs now, once per visit: the picker shows cached previews only, never provider URLs.
  const [fetchingPreviews, setFetchingPreviews] = useState(false);
  const previewsAsked = useRef(false);
  useEffect(() => {
    const data = artwork.data;
    if (!data || previewsAsked.current) return;
    const missing = data.types.some((t) =>
      t.clusters.some((c) => c.best.previewSha === null && c.best.hashError === null && !c.best.gone),
    );
    if (!missing) return;
    previewsAsked.current = true;
    setFetchingPreviews(true);
    client
      .call('artwork-rescore', { itemId: id })
      .catch(() => undefined)
      .finally(() => {
        setFetchingPreviews(false);
        artwork.reload();
      });
  }, [artwork.data, client, id, artwork]);

  const reloadAll = () => {
    item.reload();
    artwork.reload();
  };

  if (item.error && !item.data) {
    return (
      <div className="view">
        <div className="view-scroll">
          <BackLink />
          <ErrorMessage error={item.error} onRetry={item.reload} />
        </div>
      </div>
    );
  }
  if (!item.data) {
    return (
      <div className="view">
        <div className="view-scroll">
          <BackLink />
          <Spinner label="Loading the movie" />
        </div>
      </div>
    );
  }
  const it = item.data;
  const needsMatch = it.state === 'needs_match' || matching;

  return (
    <div className="view item-view">
      <header className="item-head">
        <BackLink />
        <div className="item-title">
          <h1>
            {it.title} {it.year && <span className="muted">({it.year})</span>}
          </h1>
          <div className="item-meta">
            <span
              className={`badge ${it.state === 'needs_match' ? 'badge-warn' : it.state === 'missing' ? 'badge-bad' : it.state === 'enriched' ? 'badge-ok' : ''}`}
            >
              {STATE_TEXT[it.state] ?? it.state}
            </span>
            {it.tmdbId && <span className="muted small">TMDB {it.tmdbId}</span>}
            {it.imdbId && <span className="muted small">{it.imdbId}</span>}
            <span className="muted small" title={it.folder}>
              {it.folder}
            </span>
          </div>
        </div>
        <div className="item-actions">
          <Switch
            checked={it.monitored}
            label="Monitored"
            onChange={(monitored) =>
              void run(
                'monitor',
                () => client.call('items-set-monitored', { ids: [id], monitored }),
                monitored ? 'Monitored: automation looks after it' : 'Unmonitored: automation leaves it alone',
              ).then(item.reload)
            }
          />
          <button
            type="button"
            className="btn"
            disabled={busy !== null}
            onClick={() =>
              void run(
                'enrich',
                () => client.call('enrich', { itemIds: [id] }),
                (r) =>
                  r.failed[0]
                    ? `Could not find artwork: ${r.failed[0].reason}`
                    : r.needsMatch
                      ? 'TMDB could not tell which movie this is: pick it below'
                      : 'Artwork and details refreshed',
              ).then(reloadAll)
            }
          >
            {busy === 'enrich' ? 'Searching…' : 'Find artwork'}
          </button>
          <button
            type="button"
            className="btn"
            disabled={busy !== null}
            onClick={() =>
              void run(
                'autoselect',
                () => client.call('artwork-autoselect', { itemIds: [id] }),
                (r) =>
                  r.unmonitored.length
                    ? 'Unmonitored: automation leaves it alone'
                    : r.changes.length === 0 && (needsMatch || it.tmdbId === null)
                      ? 'Nothing to choose from yet: match the movie first'
                      : `${r.changes.length > 0 ? `${pluralize(r.changes.length, 'choice')} made` : 'Nothing better than the current choices'}${it.locked.slots > 0 ? '; locked choices kept' : ''}`,
              ).then(reloadAll)
            }
          >
            {busy === 'autoselect' ? 'Choosing…' : 'Choose for me'}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy !== null}
            onClick={() =>
              void run('publish', () => client.call('publish', { itemIds: [id] }), publishOutcome).then(reloadAll)
            }
          >
            {busy === 'publish' ? 'Publishing…' : 'Publish now'}
          </button>
        </div>
      </header>
      {it.error && (
        <div className="item-problem" role="alert">
          <strong>Problem:</strong> {it.error}
        </div>
      )}
      <nav className="tabs" aria-label="Movie sections">
        {(
          [
            ['artwork', 'Artwork'],
            ['details', 'Details'],
            ['files', `Files (${it.libraryFiles.length})`],
          ] as const
        ).map(([t, label]) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'tab-on' : ''}
            onClick={() => setTab(t)}
          >
            {label}
          </button>
        ))}
        <span className="spacer" />
        {!needsMatch && it.state !== 'missing' && (
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setMatching(true)}>
            Wrong movie?
          </button>
        )}
      </nav>
      <div className="view-scroll item-body">
        {needsMatch && (
          <MatchPanel
            item={it}
            onDone={() => {
              setMatching(false);
              reloadAll();
            }}
            onCancel={it.state === 'needs_match' ? undefined : () => setMatching(false)}
          />
        )}
        {tab === 'artwork' &&
          !(
            needsMatch &&
            artwork.data &&
            artwork.data.types.every((t) => t.clusters.length === 0 && t.slots.length === 0)
          ) &&
          (artwork.error && !artwork.data ? (
            <ErrorMessage error={artwork.error} onRetry={artwork.reload} />
          ) : !artwork.data ? (
            <Spinner label="Loading artwork" />
          ) : (
            <ArtworkPicker
              itemId={id}
              artwork={artwork.data}
              onChanged={reloadAll}
              fetchingPreviews={fetchingPreviews}
            />
          ))}
        {tab === 'details' && <FieldsPanel item={it} onChanged={item.reload} />}
        {tab === 'files' && (
          <div className="card">
            {it.libraryFiles.length === 0 ? (
              <p className="muted">No artwork or NFO files in the library for this movie yet.</p>
            ) : (
              <>
                {it.libraryFiles.some((f) => f.origin === 'published' && f.onDisk !== 'present') && (
                  <p className="note note-bad" role="status">
                    Some files Posterity wrote are gone or were changed on disk. Publish now puts the chosen images back
                    (a changed file goes to the recycle bin first).
                  </p>
                )}
                <table className="table compact">
                  <thead>
                    <tr>
                      <th scope="col">File</th>
                      <th scope="col">Kind</th>
                      <th scope="col">From</th>
                      <th scope="col">Written</th>
                      <th scope="col">On disk</th>
                    </tr>
                  </thead>
                  <tbody>
                    {it.libraryFiles.map((f) => (
                      <tr key={f.id}>
                        <td className="mono" title={f.path}>
                          {f.path.slice(it.folder.length + 1) || f.path}
                        </td>
                        <td>{f.assetType ? ASSET_TYPE_SPECS[f.assetType].label : FILE_ROLE_LABELS[f.role]}</td>
                        <td>{f.origin === 'published' ? 'Posterity' : 'Was already there'}</td>
                        <td className="muted">{f.publishedAt === null ? '—' : formatRelative(f.publishedAt)}</td>
                        <td>
                          {f.onDisk === 'present' ? (
                            <span className="muted">as recorded</span>
                          ) : (
                            <span className="note-bad">{f.onDisk === 'missing' ? 'missing' : 'changed since'}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

const FILE_ROLE_LABELS: Readonly<Record<LibraryFileView['role'], string>> = {
  art: 'Artwork',
  nfo: 'NFO',
  actor: 'Actor picture',
};

function BackLink() {
  return (
    <button
      type="button"
      className="btn btn-ghost btn-small back"
      onClick={() => navigate({ view: 'library' })}
      aria-label="Back to the library"
    >
      ← Library
    </button>
  );
}

/** One sentence for a publish of this item; "up to date" only when files were already in place. */
function publishOutcome(r: PublishSummary): string {
  if (r.errors.length) return `Published with problems: ${r.errors[0]!.reason}`;
  const placed = r.written + r.linked;
  if (placed > 0 && r.renamed > 0) return `Published ${pluralize(placed, 'file')}, ${r.renamed} renamed`;
  if (placed > 0) return `Published ${pluralize(placed, 'file')}`;
  // A naming style change or a renamed video alone: the files were in place under their old names.
  if (r.renamed > 0) return `Published: ${pluralize(r.renamed, 'file')} renamed`;
  if (r.warnings.length) return `Nothing published: ${r.warnings[0]!.reason}`;
  if (r.unchanged === 0) return 'Nothing to publish yet: choose artwork, or match the movie first';
  return 'Already up to date';
}
