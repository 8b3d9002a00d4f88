import { useState } from 'react';
import type { LibraryView } from '../../../shared/api/library.ts';
import { useApi, useBridge, useClient, useEngineEvents } from '../app/bridge.tsx';
import { Modal } from '../components/Modal.tsx';
import { ErrorMessage, Spinner, useAction } from '../components/ui.tsx';
import { errorText, formatRelative, pluralize } from '../lib/format.ts';
import { Card } from './SettingsView.tsx';

export function LibrariesPanel() {
  const client = useClient();
  const libraries = useApi('library-list', {}, []);
  const { run, busy } = useAction();
  const [removing, setRemoving] = useState<LibraryView | null>(null);
  useEngineEvents((e) => {
    if (e.type === 'libraries-changed') libraries.reload();
  });

  const scan = (lib: LibraryView) =>
    void run(
      'scan',
      () => client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true }),
      `Scanning ${lib.name}; follow it in Activity`,
    );

  return (
    <>
      <Card
        title="Add a library"
        description="The folder that holds your movies, one folder per movie or all together. Posterity only adds artwork and NFO files next to them."
      >
        <AddLibraryForm onAdded={libraries.reload} />
      </Card>
      <Card title="Libraries">
        {libraries.error && <ErrorMessage error={libraries.error} onRetry={libraries.reload} />}
        {!libraries.data && !libraries.error && <Spinner />}
        {libraries.data && libraries.data.length === 0 && <p className="muted">No library yet.</p>}
        {libraries.data && libraries.data.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Library</th>
                <th scope="col">Movies</th>
                <th scope="col">Last scan</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {libraries.data.map((lib) => (
                <tr key={lib.id}>
                  <td>
                    <strong>{lib.name}</strong>
                    {lib.state === 'missing' && <span className="badge badge-bad"> Folder missing</span>}
                    <div className="muted small mono">{lib.path}</div>
                  </td>
                  <td>
                    {lib.itemCount.toLocaleString()}
                    {lib.missingCount > 0 && <div className="small note-bad">{lib.missingCount} missing</div>}
                    {lib.errorCount > 0 && <div className="small note-bad">{pluralize(lib.errorCount, 'problem')}</div>}
                  </td>
                  <td className="muted">{formatRelative(lib.lastScanAt)}</td>
                  <td>
                    <div className="field-row" style={{ justifyContent: 'flex-end' }}>
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={busy !== null}
                        onClick={() => scan(lib)}
                      >
                        Scan
                      </button>
                      <button
                        type="button"
                        className="btn btn-small btn-ghost btn-danger"
                        onClick={() => setRemoving(lib)}
                      >
                        Remove
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {removing && (
        <Modal title={`Remove ${removing.name}?`} onClose={() => setRemoving(null)}>
          <p>
            Posterity forgets this library and its {pluralize(removing.itemCount, 'movie')}, with their choices.{' '}
            <strong>Files on disk are not touched</strong>; cached images stay in the cache until it is cleaned.
          </p>
          <div className="field-row" style={{ justifyContent: 'flex-end' }}>
            <button type="button" className="btn btn-ghost" onClick={() => setRemoving(null)}>
              Keep it
            </button>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() =>
                void run(
                  'remove',
                  () => client.call('library-remove', { id: removing.id }),
                  `${removing.name} removed`,
                ).then(() => {
                  setRemoving(null);
                  libraries.reload();
                })
              }
            >
              Remove library
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}

/** Path (and optional name) of a new library; adding it starts a scan that automation follows. */
export function AddLibraryForm({ onAdded, compact }: { onAdded?: (lib: LibraryView) => void; compact?: boolean }) {
  const client = useClient();
  const { pickFolder } = useBridge();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<LibraryView | null>(null);
  const submit = async () => {
    setAdding(true);
    setError(null);
    try {
      const lib = await client.call('library-add', {
        path: path.trim(),
        kind: 'movies',
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      await client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true });
      setAdded(lib);
      setPath('');
      setName('');
      onAdded?.(lib);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setAdding(false);
    }
  };
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) void submit();
      }}
    >
      <div className="field">
        <label htmlFor="library-path">Folder</label>
        <div className="field-row path-row">
          <input
            id="library-path"
            className="input mono"
            placeholder="/media/movies  or  D:\Movies"
            value={path}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setPath(e.target.value)}
          />
          {pickFolder && (
            <button
              type="button"
              className="btn"
              onClick={() => void pickFolder().then((picked) => picked && setPath(picked))}
            >
              Browse…
            </button>
          )}
        </div>
      </div>
      {!compact && (
        <div className="field">
          <label htmlFor="library-name">Name (optional)</label>
          <input
            id="library-name"
            className="input"
            placeholder="Movies"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
      )}
      <div className="field-row">
        <button type="submit" className="btn btn-primary" disabled={adding || path.trim() === ''}>
          {adding ? 'Adding…' : 'Add and scan'}
        </button>
        {added && (
          <span className="note note-ok" role="status">
            ✓ {added.name} added; scanning now.
          </span>
        )}
      </div>
      {error && (
        <p className="note note-bad" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
