#!/usr/bin/env node
// `npm run build`: the renderer (vite → out/renderer), the Electron main, preload and engine
// host (esbuild → out/electron/*.cjs) and the stand-alone CLI (esbuild → out/cli/posterity.mjs).
import { build as esbuild } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` builds elsewhere (tests build the CLI into a temp folder); `out/` by default.
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag >= 0 ? path.resolve(process.argv[outFlag + 1]) : path.join(root, 'out');
const out = (...p) => path.join(outDir, ...p);

// Native modules load from node_modules at run time; electron is provided by the runtime;
// vite is only needed by a source checkout that builds its own UI.
// esbuild: only a source checkout bundles the walk thread at run time.
const NATIVE_AND_RUNTIME = [
  'electron',
  'better-sqlite3',
  'sharp',
  'vite',
  '@vitejs/plugin-react',
  'tsx',
  'tsx/*',
  'esbuild',
];

// CommonJS bundles have no import.meta; the few modules that locate files from it get the
// bundle's own URL instead.
const CJS_IMPORT_META = {
  banner: { js: "'use strict';\nconst __posterityImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__posterityImportMetaUrl' },
};

/**
 * The library walk thread (main/core/library/walk-thread.ts) runs this bundle as an eval'd
 * script; packaged builds carry it as a constant, so no extra file has to be found at run time.
 */
async function walkThreadWorkerDefine() {
  const built = await esbuild({
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    write: false,
    entryPoints: [path.join(root, 'main/core/library/walk-thread-worker.ts')],
  });
  return { __POSTERITY_WALK_WORKER__: JSON.stringify(built.outputFiles[0].text) };
}

const steps = {
  async renderer() {
    const { build } = await import('vite');
    await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  },
  async electron() {
    const walker = await walkThreadWorkerDefine();
    const common = {
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      sourcemap: 'linked',
      logLevel: 'warning',
      external: NATIVE_AND_RUNTIME,
    };
    await Promise.all([
      esbuild({
        ...common,
        ...CJS_IMPORT_META,
        define: { ...CJS_IMPORT_META.define, ...walker },
        entryPoints: [path.join(root, 'main/electron/main.ts')],
        outfile: out('electron', 'main.cjs'),
      }),
      esbuild({
        ...common,
        ...CJS_IMPORT_META,
        define: { ...CJS_IMPORT_META.define, ...walker },
        entryPoints: [path.join(root, 'main/electron/engine-host.ts')],
        outfile: out('electron', 'engine-host.cjs'),
      }),
      // A sandboxed preload may require only `electron` (no node: modules); all else is bundled in.
      esbuild({
        ...common,
        platform: 'browser',
        target: 'chrome130',
        external: ['electron'],
        entryPoints: [path.join(root, 'main/electron/preload.ts')],
        outfile: out('electron', 'preload.cjs'),
      }),
    ]);
  },
  async cli() {
    await esbuild({
      define: await walkThreadWorkerDefine(),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: 'linked',
      logLevel: 'warning',
      external: NATIVE_AND_RUNTIME,
      entryPoints: [path.join(root, 'main/cli/main.ts')],
      outfile: out('cli', 'posterity.mjs'),
      // Bundled CommonJS dependencies (undici…) call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
  },
};

const wanted = process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out');
const names = wanted.length ? wanted : Object.keys(steps);
for (const name of names) {
  if (!steps[name]) {
    console.error(`build: unknown step "${name}" (known: ${Object.keys(steps).join(', ')})`);
    process.exit(2);
  }
}
mkdirSync(out(), { recursive: true });
const started = performance.now();
for (const name of names) {
  const t = performance.now();
  try {
    await steps[name]();
  } catch (err) {
    console.error(`build: ${name} failed: ${err.message}`);
    process.exit(1);
  }
  console.log(`built ${name} in ${Math.round(performance.now() - t)} ms`);
}
// start.mjs compares this stamp with the sources to decide whether to rebuild.
if (names.length === Object.keys(steps).length) writeFileSync(out('.build-stamp'), `${new Date().toISOString()}\n`);
console.log(`build done in ${Math.round(performance.now() - started)} ms`);
