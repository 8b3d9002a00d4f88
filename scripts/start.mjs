#!/usr/bin/env node
// `npm start`: build what is out of date, make sure the Electron binary is there, launch the
// desktop app. Arguments after `--` go to the app (`npm start -- --demo`, `--data-dir DIR`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronDir = path.join(root, 'node_modules', 'electron');
const NO_BINARY =
  'The Electron binary could not be downloaded, so the desktop window cannot open here.\n' +
  'Everything else works without it: run `npx posterity serve` and open the address it prints in a browser.';

function fail(message) {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

/** Newest modification time under the folders the build reads. */
function newestSource() {
  const roots = ['main', 'shared', 'renderer', 'migrations'].map((d) => path.join(root, d));
  const files = [
    path.join(root, 'scripts', 'build.mjs'),
    path.join(root, 'vite.config.ts'),
    path.join(root, 'package.json'),
  ];
  let newest = Math.max(...files.filter(existsSync).map((f) => statSync(f).mtimeMs));
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  roots.forEach(walk);
  return newest;
}

function buildIfNeeded() {
  const stamp = path.join(root, 'out', '.build-stamp');
  const needed =
    !existsSync(stamp) ||
    !existsSync(path.join(root, 'out', 'electron', 'main.cjs')) ||
    statSync(stamp).mtimeMs < newestSource();
  if (!needed) return;
  process.stdout.write('Building Posterity…\n');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) fail('The build failed (see above).');
}

/** The Electron binary's path, downloading it once when `npm install` skipped it. */
function ensureElectron() {
  if (!existsSync(electronDir))
    fail(`Electron is not installed (node_modules/electron is missing). Run npm install.\n${NO_BINARY}`);
  if (!existsSync(path.join(electronDir, 'dist')) || !existsSync(path.join(electronDir, 'path.txt'))) {
    process.stdout.write('Downloading the Electron binary (first start only)…\n');
    // The installer's own output is a stack trace when offline; keep it for --verbose only.
    const verbose = process.argv.includes('--verbose');
    const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
      cwd: electronDir,
      stdio: verbose ? 'inherit' : ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      const reason = (result.stderr ?? '').split('\n').find((line) => /Error|ENOTFOUND|ECONN|fetch failed/.test(line));
      fail(`${reason ? `(${reason.trim()})\n` : ''}${NO_BINARY}`);
    }
  }
  try {
    const binary = require('electron');
    if (typeof binary !== 'string' || !existsSync(binary)) fail(NO_BINARY);
    return binary;
  } catch {
    fail(NO_BINARY);
  }
}

/**
 * better-sqlite3 12 is a classic native module: a build for Node does not load in Electron.
 * Checked here so the user gets the fix in words instead of a crash dialog.
 */
function checkNativeModules(binary) {
  const probe = spawnSync(binary, ['-e', "require('better-sqlite3'); require('sharp')"], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.status === 0) return;
  const output = `${probe.stderr ?? ''}${probe.stdout ?? ''}`;
  if (/NODE_MODULE_VERSION|different Node\.js version/.test(output)) {
    fail(
      'The database module (better-sqlite3) is built for Node.js, not for Electron.\n' +
        'Rebuild it for Electron with `npx electron-builder install-app-deps` (needs internet once),\n' +
        'or use the browser app, which needs no rebuild: `npx posterity serve`.',
    );
  }
  if (probe.error || probe.status === null) return; // could not probe (no display needed, but be lenient)
  fail(`A native module does not load in Electron:\n${output.trim().split('\n').slice(0, 6).join('\n')}`);
}

buildIfNeeded();
const binary = ensureElectron();
checkNativeModules(binary);
const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (err) => fail(`Electron could not be started: ${err.message}\n${NO_BINARY}`));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
