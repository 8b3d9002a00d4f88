import { useCallback, useEffect, useRef, useState } from 'react';
import type { Progress } from '../../../shared/api/index.ts';
import type { LibraryView } from '../../../shared/api/library.ts';
import { useApi, useBridge, useClient, useEngineEvents } from '../app/bridge.tsx';
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
  const scans = useLibraryScans(libraries.reload);
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
            scans.track(jobIds, lib.id);
            libraries.reload();
          }}
        />
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

interface ScanJob {
  jobId: number;
  /** Null: a scan of every library. */
  libraryId: number | null;
  state: 'queued' | 'running';
  progress: Progress | null;
}

/**
 * The scan jobs waiting or running, followed on the event stream. Job events carry no library,
 * so a job first seen there is looked up once in the job list; `onFinished` runs whenever a scan
 * ends (the library's counts changed).
 */
function useLibraryScans(onFinished: () => void) {
  const client = useClient();
  const [jobs, setJobs] = useState<ReadonlyMap<number, ScanJob>>(new Map());
  const current = useRef(jobs);
  current.current = jobs;
  // Jobs seen ending: a job list fetched just before must not bring them back.
  const ended = useRef(new Set<number>());
  const lookup = useRef<ReturnType<typeof setTimeout> | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  const load = useCallback(
    () =>
      client.call('jobs-list', { kind: 'scan-library', limit: 50 }).then(
        (list) =>
          setJobs((prev) => {
            const next = new Map<number, ScanJob>();
            for (const j of list) {
              if ((j.state !== 'queued' && j.state !== 'running') || ended.current.has(j.id)) continue;
              const live = prev.get(j.id);
              next.set(j.id, {
                jobId: j.id,
                libraryId: j.libraryId,
                state: live?.state ?? j.state,
                progress: live?.progress ?? j.progress,
              });
            }
            return next;
          }),
        () => {},
      ),
    [client],
  );
  useEffect(() => {
    void load();
    return () => {
      if (lookup.current) clearTimeout(lookup.current);
    };
  }, [load]);

  useEngineEvents((e) => {
    if (e.type !== 'job' || e.job.kind !== 'scan-library') return;
    const job = e.job;
    if (job.state === 'queued' || job.state === 'running') {
      if (ended.current.has(job.id)) return;
      if (current.current.has(job.id)) {
        setJobs((prev) => {
          const known = prev.get(job.id);
          if (!known) return prev;
          const next = new Map(prev);
          next.set(job.id, { ...known, state: job.state as ScanJob['state'], progress: job.progress });
          return next;
        });
      } else if (!lookup.current) {
        lookup.current = setTimeout(() => {
          lookup.current = null;
          void load();
        }, 150);
      }
      return;
    }
    ended.current.add(job.id);
    setJobs((prev) => {
      if (!prev.has(job.id)) return prev;
      const next = new Map(prev);
      next.delete(job.id);
      return next;
    });
    finished.current();
  });

  const track = useCallback((jobIds: number[], libraryId: number) => {
    setJobs((prev) => {
      const next = new Map(prev);
      for (const jobId of jobIds) {
        if (ended.current.has(jobId) || next.has(jobId)) continue;
        next.set(jobId, { jobId, libraryId, state: 'queued', progress: null });
      }
      return next;
    });
  }, []);

  const of = (libraryId: number): ScanJob | null => {
    let found: ScanJob | null = null;
    for (const j of jobs.values()) {
      if (j.libraryId !== null && j.libraryId !== libraryId) continue;
      // A running scan says more than a waiting one.
      if (!found || (found.state === 'queued' && j.state === 'running')) found = j;
    }
    return found;
  };

  return { track, of };
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

/** Path (and optional name) of a new library; adding it starts a scan that automation follows. */
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
      const queued = await client.call('jobs-enqueue', { kind: 'scan-library', libraryId: lib.id, chain: true });
      setAdded(lib);
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
