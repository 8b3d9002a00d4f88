import { parentPort } from 'node:worker_threads';
import { LibraryWalker } from './walk.ts';
import type { WalkThreadMessage, WalkThreadRequest } from './walk-thread.ts';

/*
 * The body of the walk thread: first scans' walks, one at a time, each streamed back in batches.
 * Nothing here touches the database; a first scan has nothing recorded to compare with.
 */

const port = parentPort!;
const post = (message: WalkThreadMessage) => port.postMessage(message);

port.on('message', (request: WalkThreadRequest) => {
  new LibraryWalker({
    root: request.root,
    starts: request.starts,
    known: new Map(),
    knownFiles: { get: () => undefined },
    force: new Set(),
    deep: false,
    maxYear: request.maxYear,
    // Nothing else runs on this thread, so it never needs to yield.
    sliceMs: Number.POSITIVE_INFINITY,
    onBatch: (batch) => post({ type: 'batch', batch }),
  })
    .run()
    .then(
      () => post({ type: 'done' }),
      (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
});
post({ type: 'ready' });
