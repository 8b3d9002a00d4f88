import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { appRoot, rendererDir } from './app-root.ts';
import type { Io } from './output.ts';

/** A string only React's development build carries (react-dom's DevTools hint). */
const DEVELOPMENT_MARKER = 'Download the React DevTools';

/**
 * The browser UI is the built renderer, in its production build (a development build runs React
 * several times slower and, in StrictMode, makes every request twice). A source checkout builds
 * it on first use so that `npx posterity serve` works right after `npm install`, and rebuilds a
 * development build it finds (a build made with NODE_ENV=development or test); a packaged app
 * ships it built.
 */
export async function ensureRendererBuilt(io: Io): Promise<string | undefined> {
  const dir = rendererDir();
  const built = existsSync(path.join(dir, 'index.html'));
  const canBuild = existsSync(path.join(appRoot(), 'renderer', 'index.html'));
  if (built && (!canBuild || !isDevelopmentBuild(dir))) return dir;
  if (!canBuild) return undefined;
  io.stderr.write(
    built ? 'Rebuilding the user interface (production build)…\n' : 'Building the user interface (first run only)…\n',
  );
  await buildProductionRenderer(dir);
  return dir;
}

/** Whether the built renderer's scripts are React's development build. */
export function isDevelopmentBuild(dir: string): boolean {
  let html: string;
  try {
    html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  } catch {
    return false;
  }
  for (const [, src] of html.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)) {
    const file = path.resolve(dir, src!.replace(/^\//, './'));
    if (!file.startsWith(path.resolve(dir) + path.sep)) continue;
    try {
      if (readFileSync(file, 'utf8').includes(DEVELOPMENT_MARKER)) return true;
    } catch {
      return true; // a script is missing: the build is incomplete, make a new one
    }
  }
  return false;
}

/**
 * Builds with vite.config.ts in production mode into a folder beside `dir`, then swaps it in, so
 * a server of another process never sees a half-written build. Vite takes React's mode from
 * NODE_ENV when it is set (vitest sets `test`), so it is production for the build.
 */
async function buildProductionRenderer(dir: string): Promise<void> {
  const stamp = `${process.pid}-${Date.now()}`;
  const fresh = `${dir}.building-${stamp}`;
  const old = `${dir}.old-${stamp}`;
  const { build } = await import('vite');
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(appRoot(), 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: fresh, emptyOutDir: true },
    });
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    throw err;
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  try {
    renameSync(dir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    renameSync(fresh, dir);
  } catch {
    // Another process swapped its own production build in first: keep that one.
    rmSync(fresh, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}
