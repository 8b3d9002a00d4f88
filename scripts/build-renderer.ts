import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the React renderer into out/renderer (used by `npm run build` and on first `serve`). */
export async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  // React picks its development build from NODE_ENV, which a test runner sets to `test`: the
  // renderer users get is always the production one.
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}
