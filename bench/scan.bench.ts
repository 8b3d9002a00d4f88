import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../main/core/engine.ts';
import { createLogger } from '../main/core/log.ts';
import { generateLibrary } from '../scripts/generate-library.ts';
import { median, type Bench } from './harness.ts';

const MOVIES = Number(process.env.SCAN_BENCH_MOVIES ?? 10_000);
const RUNS = 3;

/** The strict floor: every folder read once, synchronously (the fastest plain walk Node offers). */
function walkSync(dir: string): number {
  let n = 1;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) n += walkSync(path.join(dir, e.name));
  } catch {
    // The generated library holds a name Node cannot address; a walk just steps over it.
  }
  return n;
}

/** The same walk with promises, as most Node code writes it. */
async function walkAsync(dir: string): Promise<number> {
  let n = 1;
  try {
    for (const e of await readdir(dir, { withFileTypes: true }))
      if (e.isDirectory()) n += await walkAsync(path.join(dir, e.name));
  } catch {
    // As above.
  }
  return n;
}

/**
 * CPU milliseconds used so far by each thread of this process, by thread id (Linux /proc; an
 * empty map elsewhere). Shows which thread sets the pace of a threaded first scan.
 */
function threadCpu(): Map<string, number> {
  const cpu = new Map<string, number>();
  const tick = 10; // USER_HZ is 100 on Linux
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(tid, (Number(fields[11]) + Number(fields[12])) * tick);
    }
  } catch {
    // not Linux, or a thread ended while being read: report what was read
  }
  return cpu;
}

/** CPU of the main thread and of the busiest other thread between two `threadCpu()` readings. */
function cpuSplit(
  before: Map<string, number>,
  after: Map<string, number>,
): { main: number; other: number; rest: number } {
  const main = String(process.pid);
  const used = [...after].map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const);
  const others = used
    .filter(([tid]) => tid !== main)
    .map(([, ms]) => ms)
    .sort((a, b) => b - a);
  return {
    main: used.find(([tid]) => tid === main)?.[1] ?? 0,
    other: others[0] ?? 0,
    rest: others.slice(1).reduce((a, b) => a + b, 0),
  };
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * Library scan against a plain directory walk of the same generated tree, in the same run:
 * first scan (empty database) and a rescan with nothing changed. Best-of-N on both sides: the
 * machine is shared, and the minimum is the cost of the work itself.
 */
const bench: Bench = {
  name: 'scan',
  description: `scan of a generated ${MOVIES}-movie library vs a plain recursive readdir walk of the same tree`,
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-scan-bench-'));
    try {
      const root = path.join(dir, 'library');
      const gen = await timed(() =>
        generateLibrary(root, { movies: MOVIES, seed: 42, nfoFraction: 0.3, artFraction: 0.15 }),
      );
      const art = gen.value.movies.reduce((n, m) => n + m.art.length, 0);

      walkSync(root); // warm the page cache and the JIT for both sides alike
      const syncWalks: number[] = [];
      const asyncWalks: number[] = [];
      let folders = 0;
      const firsts: number[] = [];
      const rescans: number[] = [];
      let added = 0;
      let firstCpu = { main: 0, other: 0, rest: 0 };
      // Walks and scans alternate, so load from other processes falls on both sides alike.
      for (let i = 0; i < RUNS; i++) {
        for (let w = 0; w < 2; w++) {
          const sync = await timed(() => walkSync(root));
          syncWalks.push(sync.ms);
          folders = sync.value;
          asyncWalks.push((await timed(() => walkAsync(root))).ms);
        }
        const data = path.join(dir, `data${i}`);
        const engine = await createEngine({ dataDir: data, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
        try {
          const lib = await engine.services.library.addLibrary({ path: root });
          const cpu0 = threadCpu();
          const first = await timed(() => engine.services.library.scanLibrary(lib.id));
          if (firsts.length === 0 || first.ms < Math.min(...firsts)) firstCpu = cpuSplit(cpu0, threadCpu());
          firsts.push(first.ms);
          added = first.value.added;
          for (let j = 0; j < 3; j++) {
            syncWalks.push((await timed(() => walkSync(root))).ms);
            const again = await timed(() => engine.services.library.scanLibrary(lib.id));
            if (again.value.added + again.value.updated + again.value.missing > 0)
              throw new Error('a no-change rescan changed items');
            rescans.push(again.ms);
          }
        } finally {
          await engine.close();
          rmSync(data, { recursive: true, force: true });
        }
      }
      const best = (xs: number[]) => Math.min(...xs);
      const walk = best(syncWalks);
      const walkP = best(asyncWalks);
      const first = best(firsts);
      const rescan = best(rescans);
      return [
        {
          metric: 'library',
          value: MOVIES,
          unit: `movies (${added} items, ${folders} folders, ${art} art files; generated in ${(gen.ms / 1000).toFixed(1)} s)`,
        },
        { metric: 'walk, readdirSync (floor), best', value: walk, unit: `ms (median ${median(syncWalks).toFixed(0)})` },
        {
          metric: 'walk, fs.promises.readdir, best',
          value: walkP,
          unit: `ms (median ${median(asyncWalks).toFixed(0)})`,
        },
        { metric: 'first scan, best', value: first, unit: `ms (median ${median(firsts).toFixed(0)})` },
        {
          metric: 'first scan CPU, scanning thread',
          value: firstCpu.main,
          unit: `ms (best run; walk thread ${firstCpu.other} ms, GC and other threads ${firstCpu.rest} ms)`,
        },
        { metric: 'no-change rescan, best', value: rescan, unit: `ms (median ${median(rescans).toFixed(0)})` },
        { metric: 'first scan / walk', value: first / walk, unit: '×', target: { op: '<=', value: 3 } },
        { metric: 'rescan / walk', value: rescan / walk, unit: '×', target: { op: '<=', value: 1.5 } },
        { metric: 'first scan / promise walk', value: first / walkP, unit: '×', target: { op: '<=', value: 3 } },
        { metric: 'rescan / promise walk', value: rescan / walkP, unit: '×', target: { op: '<=', value: 1.5 } },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
