import os from 'node:os';
import { Worker } from 'node:worker_threads';

/*
 * fsync is a slow, blocking call (a journal commit: ~1–5 ms on a VM disk, more on a NAS) and
 * Node runs it on libuv's four-thread pool, which every stat, readdir and rename of the run
 * shares. Twelve thousand fsyncs there starve everything else. These few worker threads do the
 * blocking part of placing a file — copy into the temp file, fsync, fstat — synchronously, each
 * on its own thread, so many commits are in flight at once (the filesystem groups them) and the
 * libuv pool stays free for the cheap calls. The worker is a small CommonJS string so it runs
 * the same under tsx, vitest and a packaged build.
 */

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', (job) => {
  let fd = null;
  try {
    if (job.kind === 'copy') fs.copyFileSync(job.source, job.target, fs.constants.COPYFILE_EXCL | job.flags);
    if (job.kind === 'text') {
      fd = fs.openSync(job.target, 'wx');
      fs.writeFileSync(fd, job.text, 'utf8');
    } else {
      fd = fs.openSync(job.target, job.kind === 'syncdir' ? 'r' : 'r+');
    }
    fs.fsyncSync(fd);
    const st = fs.fstatSync(fd);
    fs.closeSync(fd);
    parentPort.postMessage({ id: job.id, size: st.size, mtimeMs: st.mtimeMs });
  } catch (err) {
    if (fd !== null) { try { fs.closeSync(fd); } catch {} }
    parentPort.postMessage({ id: job.id, error: { code: err.code, message: err.message } });
  }
});
`;

/** What a durable write produced. */
export interface SyncedFile {
  size: number;
  mtimeMs: number;
}

export type FsJob =
  /** Copy `source` to the new file `target` (flags: e.g. COPYFILE_FICLONE_FORCE), then fsync. */
  | { kind: 'copy'; source: string; target: string; flags: number }
  /** Write `text` to the new file `target`, then fsync. */
  | { kind: 'text'; target: string; text: string }
  /** fsync an existing file. */
  | { kind: 'sync'; target: string }
  /** fsync a folder, making renames in it durable (not possible on Windows: fails, callers ignore it). */
  | { kind: 'syncdir'; target: string };

interface Pending {
  worker: Worker;
  resolve(value: SyncedFile): void;
  reject(err: Error): void;
}

/** Worker threads doing blocking fs work; created on first use, idle ones do not keep the process alive. */
export class FsWorkers {
  readonly #size: number;
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #load = new Map<Worker, number>();
  #next = 0;
  #closed = false;

  constructor(size = Math.max(4, Math.min(16, os.availableParallelism() * 4))) {
    this.#size = size;
  }

  /** Runs one job on the least busy worker. Errors keep their errno `code`. */
  run(job: FsJob): Promise<SyncedFile> {
    if (this.#closed) return Promise.reject(new Error('The publisher is shut down'));
    const worker = this.#pick();
    const id = ++this.#next;
    return new Promise<SyncedFile>((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject });
      this.#busy(worker, +1);
      worker.postMessage({ ...job, id });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
    for (const p of this.#pending.values()) p.reject(new Error('The publisher is shut down'));
    this.#pending.clear();
  }

  #pick(): Worker {
    let best: Worker | null = null;
    for (const w of this.#workers) {
      if (best === null || this.#load.get(w)! < this.#load.get(best)!) best = w;
    }
    if (best !== null && (this.#load.get(best) === 0 || this.#workers.length >= this.#size)) return best;
    return this.#spawn();
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    this.#load.set(worker, 0);
    worker.on(
      'message',
      (msg: { id: number; size?: number; mtimeMs?: number; error?: { code?: string; message: string } }) => {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        this.#busy(worker, -1);
        if (!p) return;
        if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
        else p.resolve({ size: msg.size!, mtimeMs: msg.mtimeMs! });
      },
    );
    worker.on('error', (err) => {
      // A crashed worker fails nothing silently: every job it held fails.
      for (const [id, p] of this.#pending) {
        if (p.worker !== worker) continue;
        this.#pending.delete(id);
        p.reject(err);
      }
      this.#workers.splice(this.#workers.indexOf(worker), 1);
      this.#load.delete(worker);
    });
    this.#workers.push(worker);
    return worker;
  }

  /** A worker with work keeps the process alive (so an awaited job cannot be cut off); an idle one does not. */
  #busy(worker: Worker, delta: number): void {
    const n = (this.#load.get(worker) ?? 0) + delta;
    this.#load.set(worker, n);
    if (n > 0 && n === delta) worker.ref();
    else if (n === 0) worker.unref();
  }
}
