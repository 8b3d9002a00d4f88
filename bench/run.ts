import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { meets, type Bench, type BenchRow } from './harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `npm run bench [-- NAME…]`: runs every bench/*.bench.ts (or the named ones), prints a table, writes JSON. */
async function main() {
  const only = process.argv.slice(2);
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  if (files.length === 0) {
    process.stderr.write(`No benchmarks match ${only.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const results: { bench: string; description: string; rows: BenchRow[]; error?: string }[] = [];
  for (const file of files) {
    const bench = ((await import(pathToFileURL(path.join(here, file)).href)) as { default: Bench }).default;
    process.stdout.write(`\n▶ ${bench.name}: ${bench.description}\n`);
    try {
      const rows = await bench.run();
      results.push({ bench: bench.name, description: bench.description, rows });
      printRows(rows);
    } catch (err) {
      const message = (err as Error).stack ?? String(err);
      results.push({ bench: bench.name, description: bench.description, rows: [], error: message });
      process.stdout.write(`  failed: ${message}\n`);
      process.exitCode = 1;
    }
  }
  const outDir = path.join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'latest.json');
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
  process.stdout.write(`\nResults written to ${path.relative(process.cwd(), out)}\n`);
}

function printRows(rows: BenchRow[]) {
  const w = Math.max(10, ...rows.map((r) => r.metric.length));
  for (const r of rows) {
    const ok = meets(r);
    const target = r.target ? `  target ${r.target.op} ${r.target.value}` : '';
    const mark = ok === null ? '' : ok ? '  ✓' : '  ✗';
    process.stdout.write(`  ${r.metric.padEnd(w)}  ${fmt(r.value).padStart(12)} ${r.unit}${target}${mark}\n`);
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

await main();
