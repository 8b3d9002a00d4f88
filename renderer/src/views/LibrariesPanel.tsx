import { useState } from 'react';
import type { LibraryView } from '../../../shared/api/library.ts';
import { useApi, useBridge, useClient, useEngineEvents } from '../app/bridge.tsx';
import { useScanTracker, type FollowedScan, type ScanJob } from '../app/scan-tracker.ts';
import { Modal } from '../components/Modal.tsx';
import { ErrorMessage, ProgressBar, Spinner, useAction, useToast } from '../components/ui.tsx';
import { errorText, formatRelative, pluralize } from '../lib/format.ts';
import { Card } from './SettingsView.tsx';

export function LibrariesPanel() {
  const client = useClient();
  const libraries = useApi('library-list', {}, []);
  const { run, busy } = useAction('libraries');
  const [removing, setRemoving] = useState<LibraryView | null>(null);
  const [moving, setMoving] = useState<LibraryView | null>(null);
  const scans = useScanTracker(libraries.reload);
  useEngineEvents((e) => {
    if (e.type === 'libraries-changed') libraries.reload();
  });

  const scan = (lib: LibraryView) =>
    void run(
      'scan',
      () => client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true }),
      `Scanning ${lib.name}; follow it in Activity`,
    ).then((r) => r && scans.track(r.jobIds, lib.id));

  return (
    <>
      <Card
        title="Add a library"
        description="The folder that holds your movies, one folder per movie or all together. Posterity only adds artwork and NFO files next to them."
      >
        <AddLibraryForm
          onAdded={(lib, jobIds) => {
            scans.follow(lib, jobIds);
            libraries.reload();
          }}
        />
        {scans.followed && <ScanStatus scan={scans.followed} added />}
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
              {libraries.data.map((lib) => {
                const scanning = scans.of(lib.id);
                return (
                  <tr key={lib.id} aria-busy={scanning ? true : undefined}>
                    <td>
                      <strong>{lib.name}</strong>
                      {lib.state === 'missing' && <span className="badge badge-bad"> Folder missing</span>}
                      <div className="muted small mono">{lib.path}</div>
                    </td>
                    <td>
                      {lib.itemCount.toLocaleString()}
                      {lib.missingCount > 0 && <div className="small note-bad">{lib.missingCount} missing</div>}
                      {lib.errorCount > 0 && (
                        <div className="small note-bad">{pluralize(lib.errorCount, 'problem')}</div>
                      )}
                    </td>
                    <td className="muted">
                      {scanning ? <ScanProgress scan={scanning} name={lib.name} /> : formatRelative(lib.lastScanAt)}
                    </td>
                    <td>
                      <div className="field-row" style={{ justifyContent: 'flex-end' }}>
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={busy !== null || scanning !== null}
                          onClick={() => scan(lib)}
                        >
                          {scanning ? 'Scanning…' : 'Scan'}
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-ghost"
                          disabled={scanning !== null}
                          onClick={() => setMoving(lib)}
                        >
                          Move…
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
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
      {moving && (
        <MoveLibraryDialog
          lib={moving}
          onClose={() => setMoving(null)}
          onMoved={(jobIds) => {
            scans.track(jobIds, moving.id);
            setMoving(null);
            libraries.reload();
          }}
        />
      )}
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

function ScanProgress({ scan, name }: { scan: ScanJob; name: string }) {
  if (scan.state === 'queued') {
    return (
      <div className="scan-progress" role="status">
        Waiting to scan…
      </div>
    );
  }
  const done = scan.progress?.done ?? 0;
  const total = scan.progress?.total ?? 0;
  return (
    <div className="scan-progress" role="status">
      <span>{done > 0 ? `Scanning… ${pluralize(done, 'folder')}` : 'Scanning…'}</span>
      <ProgressBar done={done} total={total} label={`Scan of ${name}`} />
    </div>
  );
}

/**
 * A followed scan from waiting to what it found, or why it found nothing. `added`: the scan of a
 * library just added in this form, so its result says so.
 */
export function ScanStatus({ scan, added }: { scan: FollowedScan; added?: boolean }) {
  const name = scan.library.name;
  if (scan.state === 'removed') {
    return (
      <p className="note" role="status">
        {name} was removed before its scan ended.
      </p>
    );
  }
  if (scan.state === 'failed' || scan.state === 'cancelled') {
    return (
      <p className="note note-bad" role="alert">
        {scan.state === 'cancelled'
          ? `The scan of ${name} was cancelled. Scan it again from Settings › Libraries.`
          : `The scan of ${name} failed: ${scan.error ?? 'no reason was given'}`}
      </p>
    );
  }
  if (scan.state === 'done') {
    if (!scan.found)
      return (
        <div className="scan-progress" role="status">
          Counting the movies found…
        </div>
      );
    if ('error' in scan.found) {
      return (
        <p className="note note-bad" role="alert">
          The scan of {name} is done, but its movies could not be counted: {scan.found.error}
        </p>
      );
    }
    const { movies, problems, unreachable } = scan.found;
    // The scanner treats an unreadable root as offline (it keeps the movies), so the job itself succeeds.
    if (unreachable) {
      return (
        <p className="note note-bad" role="alert">
          The scan of {name} could not read {scan.library.path}. Is the drive or share mounted, and may Posterity read
          it?
        </p>
      );
    }
    return (
      <p className={`note ${movies > 0 ? 'note-ok' : 'note-bad'}`} role="status">
        {movies === 0
          ? `No movies found in ${scan.library.path}. Is it the folder that holds them?`
          : added
            ? `✓ ${name} added: ${pluralize(movies, 'movie')} found.`
            : `✓ Found ${pluralize(movies, 'movie')} in ${name}.`}
        {problems > 0 && ` ${pluralize(problems, 'movie has', 'movies have')} a problem; the library shows which.`}
      </p>
    );
  }
  if (scan.state === 'queued') {
    return (
      <div className="scan-progress" role="status">
        Waiting to scan {name}…
      </div>
    );
  }
  const done = scan.progress?.done ?? 0;
  const total = scan.progress?.total ?? 0;
  return (
    <div className="scan-progress" role="status">
      <span>
        {scan.progress?.label ?? `Scanning ${name}…`}
        {total > 0 && ` · ${done.toLocaleString()} of ${total.toLocaleString()}`}
      </span>
      <ProgressBar done={done} total={total} label={`Scan of ${name}`} />
    </div>
  );
}

/**
 * Path (and optional name) of a new library; adding it starts a scan that automation follows.
 * The caller shows that scan (`useScanTracker().follow`, `ScanStatus`).
 */
export function AddLibraryForm({
  onAdded,
  compact,
}: {
  /** With the ids of the scan jobs queued for it. */
  onAdded?: (lib: LibraryView, scanJobIds: number[]) => void;
  compact?: boolean;
}) {
  const client = useClient();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const submit = async () => {
    setAdding(true);
    setError(null);
    try {
      const lib = await client.call('library-add', {
        path: path.trim(),
        kind: 'movies',
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      const queued = await client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true });
      setPath('');
      setName('');
      onAdded?.(lib, queued.jobIds);
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
      <FolderField
        id="library-path"
        label="Folder"
        placeholder="/media/movies  or  D:\Movies"
        value={path}
        onChange={setPath}
      />
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
      </div>
      {error && (
        <p className="note note-bad" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/**
 * After a disk swap or a new mount point: the library points at its new folder with every movie,
 * choice and lock, then a scan reads it and a rebuild puts back the artwork the move lost.
 */
function MoveLibraryDialog(props: { lib: LibraryView; onClose: () => void; onMoved: (scanJobIds: number[]) => void }) {
  const client = useClient();
  const toast = useToast();
  const [path, setPath] = useState(props.lib.path);
  const [error, setError] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const submit = async () => {
    setMoving(true);
    setError(null);
    try {
      const lib = await client.call('library-move', { id: props.lib.id, path: path.trim() });
      const scan = await client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true });
      await client.call('jobs-enqueue', { kind: 'rebuild', libraryId: lib.id });
      toast(`${lib.name} now reads ${lib.path}; scanning it, then putting back missing artwork`);
      props.onMoved(scan.jobIds);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setMoving(false);
    }
  };
  return (
    <Modal title={`Move ${props.lib.name}`} onClose={() => !moving && props.onClose()}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void submit();
        }}
      >
        <p>
          Where the library is now, after a disk swap or a new mount point. Its movies keep their choices and locks; a
          scan and a rebuild follow.
        </p>
        <FolderField id="library-new-path" label="New folder" value={path} onChange={setPath} />
        {error && (
          <p className="error-inline" role="alert">
            {error}
          </p>
        )}
        <div className="field-row" style={{ justifyContent: 'flex-end' }}>
          <button type="button" className="btn btn-ghost" disabled={moving} onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={moving || !path.trim()} aria-busy={moving}>
            {moving ? 'Moving…' : 'Move library'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** A folder path, typed or (on the desktop) picked with the system's dialog. */
function FolderField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (path: string) => void;
  placeholder?: string;
}) {
  const { pickFolder } = useBridge();
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <div className="field-row path-row">
        <input
          id={props.id}
          className="input mono"
          placeholder={props.placeholder}
          value={props.value}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => props.onChange(e.target.value)}
        />
        {pickFolder && (
          <button
            type="button"
            className="btn"
            onClick={() => void pickFolder().then((picked) => picked && props.onChange(picked))}
          >
            Browse…
          </button>
        )}
      </div>
    </div>
  );
}
