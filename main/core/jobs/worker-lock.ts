import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { processAlive } from '../process-alive.ts';

/** Lock files held by engines of this process (tests open several engines in one process). */
const heldHere = new Set<string>();

export type WorkerLock = { acquired: true; release(): void } | { acquired: false; heldBy: number };

/**
 * One process at a time runs the workers of a data dir (the desktop app and a daemon on the same
 * data dir would otherwise re-queue each other's running jobs). A lock left by a process that no
 * longer exists (kill -9, power loss) is taken over.
 */
export function acquireWorkerLock(file: string): WorkerLock {
  if (heldHere.has(file)) return { acquired: false, heldBy: process.pid };
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldHere.add(file);
      return {
        acquired: true,
        release() {
          if (!heldHere.delete(file)) return;
          try {
            if (readPid(file) === process.pid) unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = readPid(file);
      if (pid !== null && pid !== process.pid && processAlive(pid)) return { acquired: false, heldBy: pid };
      try {
        unlinkSync(file); // stale: its owner is gone
      } catch {
        // Another process took it over first; the next try reports it.
      }
    }
  }
  return { acquired: false, heldBy: readPid(file) ?? 0 };
}

/** The live process that runs the workers of this lock's data dir, or null when none does. */
export function workerLockHolder(file: string): number | null {
  if (heldHere.has(file)) return process.pid;
  const pid = readPid(file);
  return pid !== null && processAlive(pid) ? pid : null;
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
