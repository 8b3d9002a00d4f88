import { existsSync } from 'node:fs';
import path from 'node:path';
import { appRoot, rendererDir } from './app-root.ts';
import type { Io } from './output.ts';

/**
 * The browser UI is the built renderer. A source checkout builds it on first use so that
 * `npx posterity serve` works right after `npm install`; a packaged app ships it built.
 */
export async function ensureRendererBuilt(io: Io): Promise<string | undefined> {
  const dir = rendererDir();
  if (existsSync(path.join(dir, 'index.html'))) return dir;
  const source = path.join(appRoot(), 'renderer', 'index.html');
  if (!existsSync(source)) return undefined;
  io.stderr.write('Building the user interface (first run only)…\n');
  const { buildRenderer } = await import('../../scripts/build-renderer.ts');
  await buildRenderer();
  return dir;
}
