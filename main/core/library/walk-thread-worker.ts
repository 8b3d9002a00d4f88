import { parentPort } from 'node:worker_threads';
import { checkFolders, LibraryWalker } from './walk.ts';
import type { CheckJob, WalkJob, WalkThreadMessage } from './walk-thread.ts';

/*
 * The body of a walk thread: jobs of first scans' walks, one at a time, each streamed back in
 * batches, and rescans' folder checks on slow storage. Nothing here touches the database: a
 * first scan has nothing recorded to compare with, and a check is given what to compare.
 */

const port = parentPort!;
const post = (message: WalkThreadMessage) => port.postMessage(message);

/** The folders met by the current walk's jobs on this thread, by identity. */
let walk: { id: number; seen: Map<string, string> } | null = null;

port.on('message', (job: WalkJob | CheckJob) => {
  if ('check' in job) {
    try {
      post({ type: 'checked', folders: checkFolders(job.check) });
    } catch (err) {
      post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (walk?.id !== job.walkId) walk = { id: job.walkId, seen: new Map() };
  for (const [identity, first] of job.seen) if (!walk.seen.has(identity)) walk.seen.set(identity, first);
  new LibraryWalker({
    root: job.root,
    starts: job.starts,
    known: new Map(),
    knownFiles: { get: () => undefined },
    force: new Set(),
    deep: false,
    maxYear: job.maxYear,
    descend: job.descend,
    seen: walk.seen,
    // Nothing else runs on this thread, so it never needs to yield.
    sliceMs: Number.POSITIVE_INFINITY,
    onBatch: (batch) => post({ type: 'batch', batch }),
  })
    .run()
    .then(
      (result) => post({ type: 'done', rest: result.rest ?? [] }),
      (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
});
post({ type: 'ready' });
