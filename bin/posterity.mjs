#!/usr/bin/env node
// A source checkout runs the TypeScript entry through tsx; a packaged build ships out/cli.
import { existsSync } from 'node:fs';

const source = new URL('../main/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../out/cli/posterity.mjs', import.meta.url).href);
}
