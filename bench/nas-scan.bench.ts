import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine } from '../main/core/engine.ts';
import { createLogger } from '../main/core/log.ts';
import { walkLanes } from '../main/core/library/walk-thread.ts';
import { generateLibrary } from '../scripts/generate-library.ts';
import type { Bench, BenchRow } from './harness.ts';

const MOVIES = Number(process.env.NAS_BENCH_MOVIES ?? 2000);
/** Each call the share answers waits this long: a quick local network. */
const DELAY_MS = Number(process.env.NAS_BENCH_DELAY_MS ?? 1);
/** The share's clients keep attributes for a second (latency-fs.py); a run starts after they expire. */
const CACHE_EXPIRY_MS = 1500;

const LATENCY_FS = fileURLToPath(new URL('./latency-fs.py', import.meta.url));

/** A python that has fusepy, and the unmount command; null when FUSE cannot run here. */
function fuseTools(): { python: string; unmount: string } | null {
  if (!existsSync('/dev/fuse')) return null;
  const unmount = ['fusermount3', 'fusermount'].find((c) => spawnSync(c, ['-V']).status === 0);
  const python = ['/usr/bin/python3', 'python3'].find(
    (p) => spawnSync(p, ['-c', 'import fusepy']).status === 0 || spawnSync(p, ['-c', 'import fuse']).status === 0,
  );
  return unmount && python ? { python, unmount } : null;
}

async function mount(python: string, source: string, mountpoint: string): Promise<ChildProcess> {
  const child = spawn(python, [LATENCY_FS, source, mountpoint, String(DELAY_MS)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if (readdirSync(mountpoint).length > 0) return child;
    } catch {
      // not mounted yet
    }
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill();
  throw new Error(`The latency filesystem did not mount at ${mountpoint}`);
}

function walk(dir: string): number {
  let n = 1;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) n += walk(path.join(dir, e.name));
  } catch {
    // a name the share cannot show
  }
  return n;
}

/**
 * A first scan and a rescan on storage that answers every call after a delay, as a network share
 * does: by one thread, then by as many as the scanner chooses from the storage's speed, beside a
 * plain walk of the same share. Needs FUSE and fusepy (`apt-get install fuse3 python3-fusepy`); skipped
 * otherwise.
 */
const bench: Bench = {
  name: 'nas-scan',
  description: `first scan and rescan of a ${MOVIES}-movie library through a share answering each call after ${DELAY_MS} ms, one thread vs as many as the scanner picks`,
  async run(): Promise<BenchRow[]> {
    const tools = fuseTools();
    if (!tools) return [{ metric: 'skipped: needs /dev/fuse, fusermount3 and python3-fusepy', value: 0, unit: '' }];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-nas-bench-'));
    const share = path.join(dir, 'share');
    mkdirSync(share);
    let server: ChildProcess | null = null;
    try {
      await generateLibrary(path.join(dir, 'library'), {
        movies: MOVIES,
        seed: 42,
        nfoFraction: 0.3,
        artFraction: 0.15,
      });
      server = await mount(tools.python, path.join(dir, 'library'), share);

      await sleep(CACHE_EXPIRY_MS);
      const t0 = performance.now();
      const folders = walk(share);
      const walkMs = performance.now() - t0;

      await sleep(CACHE_EXPIRY_MS);
      const lanes = walkLanes(share);

      const scans = async (walkThreads: number) => {
        const data = path.join(dir, `data-${walkThreads}`);
        const engine = await createEngine({ dataDir: data, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
        try {
          await engine.services.settings.set('scan.walkThreads', walkThreads);
          const lib = await engine.services.library.addLibrary({ path: share });
          const timed = async () => {
            await sleep(CACHE_EXPIRY_MS);
            const t = performance.now();
            const summary = await engine.services.library.scanLibrary(lib.id);
            return { ms: performance.now() - t, summary };
          };
          const first = await timed();
          const again = await timed();
          if (again.summary.unchanged !== first.summary.added)
            throw new Error('A rescan with nothing changed saw changes');
          return { first: first.ms, rescan: again.ms, added: first.summary.added };
        } finally {
          await engine.close();
        }
      };
      const one = await scans(1);
      const auto = await scans(0);
      if (one.added !== auto.added) throw new Error(`One thread found ${one.added} movies, several ${auto.added}`);
      return [
        { metric: 'library', value: auto.added, unit: `movies (${folders} folders)` },
        { metric: 'walk of the share, readdirSync', value: walkMs, unit: 'ms' },
        { metric: 'threads the scanner picks for this share', value: lanes, unit: '' },
        { metric: 'first scan, one thread', value: one.first, unit: 'ms' },
        { metric: `first scan, ${lanes} threads`, value: auto.first, unit: 'ms' },
        {
          metric: 'first scan: one thread / several (time)',
          value: one.first / auto.first,
          unit: '× faster',
          target: { op: '>=', value: 2 },
        },
        { metric: 'rescan, nothing changed, one thread', value: one.rescan, unit: 'ms' },
        { metric: `rescan, nothing changed, ${lanes} threads`, value: auto.rescan, unit: 'ms' },
        {
          metric: 'rescan: one thread / several (time)',
          value: one.rescan / auto.rescan,
          unit: '× faster',
          target: { op: '>=', value: 2 },
        },
      ];
    } finally {
      if (server) {
        spawnSync(tools.unmount, ['-u', share]);
        server.kill();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
