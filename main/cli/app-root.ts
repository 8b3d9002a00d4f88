import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Posterity's package.json, found from this file whether bundled or not. */
export function appRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'posterity') return dir;
      } catch {
        // keep looking upward
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Posterity installation folder');
    dir = parent;
  }
}

export function rendererDir(): string {
  return path.join(appRoot(), 'out', 'renderer');
}
