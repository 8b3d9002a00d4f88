import { parentPort } from 'node:worker_threads';
import { checkFolders, LibraryWalker, type KnownFile } from './walk.ts';
import type { CheckJob, WalkJob, WalkThreadMessage } from './walk-thread.ts';

/*
 * The body of a walk thread: jobs of first scans' walks, one at a time, each streamed back in
 * batches, and rescans' folder checks on slow storage. Nothing here touches the database: a
 * first scan has nothing recorded to compare with, and a library read again whole or a check is
 * given what to compare with.
 */

const port = parentPort!;
const post = (message: WalkThreadMessage) => port.postMessage(message);

/** The current walk on this thread: the folders its jobs met, by identity, and the library's recorded files. */
let walk: { id: number; seen: Map<string, string>; files: Map<string, KnownFile> } | null = null;

port.on('message', (job: WalkJob | CheckJob) => {
  if ('check' in job) {
    try {
      post({ type: 'checked', folders: checkFolders(job.check) });
    } catch (err) {
      post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (walk?.id !== job.walkId) walk = { id: job.walkId, seen: new Map(), files: new Map() };
  for (const [file, known] of job.knownFiles ?? []) walk.files.set(file, known);
  const files = walk.files;
  for (const [identity, first] of job.seen) if (!walk.seen.has(identity)) walk.seen.set(identity, first);
  new LibraryWalker({
    root: job.root,
    starts: job.starts,
    known: new Map(),
    knownFiles: { get: (file) => files.get(file) },
    force: new Set(),
    deep: job.deep,
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
