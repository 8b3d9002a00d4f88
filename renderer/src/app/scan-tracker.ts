import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobEvent } from '../../../shared/api/events.ts';
import type { Progress } from '../../../shared/api/index.ts';
import type { LibraryView } from '../../../shared/api/library.ts';
import { errorText } from '../lib/format.ts';
import { useClient, useEngineEvents } from './bridge.tsx';

/** A scan job waiting or running. */
export interface ScanJob {
  jobId: number;
  /** Null: a scan of every library. */
  libraryId: number | null;
  state: 'queued' | 'running';
  progress: Progress | null;
}

/** The library's counts once its scan is done, or why they could not be read. */
export type ScanFound = { movies: number; problems: number; unreachable: boolean } | { error: string };

/** The scan of a library the user just added, followed to its end (the wizard's and the add form's). */
export interface FollowedScan {
  library: LibraryView;
  jobId: number;
  /** removed: the library was removed before its scan ended; its queued job went with it, unannounced. */
  state: JobEvent['state'] | 'removed';
  progress: Progress | null;
  error: string | null;
  /** Null until read (only once the scan is done). */
  found: ScanFound | null;
}

type JobUpdate = Pick<JobEvent, 'id' | 'state' | 'progress' | 'error'>;

/** Later states win over a job list fetched before they were pushed (a retry may go back to queued). */
const STATE_RANK: Record<FollowedScan['state'], number> = {
  queued: 0,
  running: 1,
  done: 2,
  failed: 2,
  cancelled: 2,
  removed: 2,
};

const isLive = (state: FollowedScan['state']) => state === 'queued' || state === 'running';

/**
 * The scan jobs waiting or running, followed on the shared event stream, and the scan of one
 * library followed to what it found. Job events carry no library, so a job first seen there is
 * looked up in the job list; that list is also read when following starts, as a small library can
 * be scanned before its job's events are listened for. Removing a library deletes its waiting
 * jobs without an event, so a library gone from the library list ends its scans.
 * `onFinished` runs whenever a scan ends (the library's counts changed).
 */
export function useScanTracker(onFinished?: () => void) {
  const client = useClient();
  const [jobs, setJobs] = useState<ReadonlyMap<number, ScanJob>>(new Map());
  const [followed, setFollowed] = useState<FollowedScan | null>(null);
  const current = useRef(jobs);
  current.current = jobs;
  const followedJob = useRef<number | null>(null);
  // Jobs seen ending: a job list fetched just before must not bring them back.
  const ended = useRef(new Set<number>());
  const lookup = useRef<ReturnType<typeof setTimeout> | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  const updateFollowed = useCallback((job: JobUpdate, catchUp: boolean) => {
    setFollowed((prev) => {
      if (!prev || prev.jobId !== job.id || prev.state === 'removed') return prev;
      if (catchUp && STATE_RANK[job.state] <= STATE_RANK[prev.state]) return prev;
      return { ...prev, state: job.state, progress: job.progress ?? prev.progress, error: job.error, found: null };
    });
  }, []);

  const load = useCallback(
    () =>
      client.call('jobs-list', { kind: 'scan-library', limit: 50 }).then(
        (list) => {
          setJobs((prev) => {
            const next = new Map<number, ScanJob>();
            for (const j of list) {
              if (!isLive(j.state) || ended.current.has(j.id)) continue;
              const live = prev.get(j.id);
              next.set(j.id, {
                jobId: j.id,
                libraryId: j.libraryId,
                state: live?.state ?? (j.state as ScanJob['state']),
                progress: live?.progress ?? j.progress,
              });
            }
            return next;
          });
          const mine = list.find((j) => j.id === followedJob.current);
          if (mine) updateFollowed(mine, true);
        },
        () => {}, // the event stream still tells
      ),
    [client, updateFollowed],
  );

  /** Ends the scans of libraries that are no longer there. */
  const prune = useCallback(
    () =>
      client.call('library-list', {}).then(
        (libraries) => {
          const there = new Set(libraries.map((l) => l.id));
          const gone = (libraryId: number | null) => libraryId !== null && !there.has(libraryId);
          setJobs((prev) => {
            const stale = [...prev.values()].filter((j) => gone(j.libraryId));
            if (stale.length === 0) return prev;
            const next = new Map(prev);
            for (const j of stale) {
              ended.current.add(j.jobId);
              next.delete(j.jobId);
            }
            return next;
          });
          setFollowed((prev) =>
            prev && isLive(prev.state) && gone(prev.library.id) ? { ...prev, state: 'removed', progress: null } : prev,
          );
        },
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
    if (e.type === 'libraries-changed') return void prune();
    // A bulk cancel or retry: one event for many jobs.
    if (e.type === 'jobs-changed') return void load();
    if (e.type !== 'job' || e.job.kind !== 'scan-library') return;
    const job = e.job;
    if (job.id === followedJob.current) updateFollowed(job, false);
    if (isLive(job.state)) {
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
    finished.current?.();
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

  /** Tracks the scan of a library and follows it to what it found. */
  const follow = useCallback(
    (library: LibraryView, jobIds: number[]) => {
      track(jobIds, library.id);
      const id = jobIds[0];
      followedJob.current = id ?? null;
      if (id === undefined) return setFollowed(null);
      setFollowed({ library, jobId: id, state: 'queued', progress: null, error: null, found: null });
      void load();
    },
    [track, load],
  );

  const counting = followed?.state === 'done' && followed.found === null;
  const followedLibrary = followed?.library.id;
  useEffect(() => {
    if (!counting) return;
    let stale = false;
    const settle = (update: Partial<FollowedScan>) =>
      !stale &&
      setFollowed((prev) =>
        prev && prev.library.id === followedLibrary && prev.state === 'done' ? { ...prev, ...update } : prev,
      );
    client.call('library-list', {}).then(
      (list) => {
        const lib = list.find((l) => l.id === followedLibrary);
        settle(
          lib
            ? { found: { movies: lib.itemCount, problems: lib.errorCount, unreachable: lib.state === 'missing' } }
            : { state: 'removed' },
        );
      },
      (err: unknown) => settle({ found: { error: errorText(err) } }),
    );
    return () => {
      stale = true;
    };
  }, [client, counting, followedLibrary]);

  const of = (libraryId: number): ScanJob | null => {
    let found: ScanJob | null = null;
    for (const j of jobs.values()) {
      if (j.libraryId !== null && j.libraryId !== libraryId) continue;
      // A running scan says more than a waiting one.
      if (!found || (found.state === 'queued' && j.state === 'running')) found = j;
    }
    return found;
  };

  return { track, follow, of, followed };
}
