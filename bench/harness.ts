/**
 * A benchmark file (`bench/<name>.bench.ts`) default-exports one `Bench`. Each measures its
 * subject and, in the same run, a baseline (a floor such as a plain directory walk or `cp`), and
 * reports ratios against targets rather than absolute times, which vary between machines.
 */
export interface Bench {
  name: string;
  /** One line on what is measured and against what. */
  description: string;
  run(): Promise<BenchRow[]>;
}

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** The goal, e.g. `<= 3` for a ratio; shown beside the value. */
  target?: { op: '<=' | '>=' | '<' | '>'; value: number };
}

export function meets(row: BenchRow): boolean | null {
  if (!row.target) return null;
  const { op, value } = row.target;
  return op === '<=' ? row.value <= value : op === '>=' ? row.value >= value : op === '<' ? row.value < value : row.value > value;
}

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Milliseconds taken by `fn`. */
export async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs `fn` `runs` times and returns the median milliseconds (after one warm-up when asked). */
export async function medianTime(fn: () => Promise<unknown> | unknown, runs = 3, warmup = false): Promise<number> {
  if (warmup) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await time(fn));
  return median(times);
}
