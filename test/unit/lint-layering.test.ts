import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function lintAs(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering lint', () => {
  it.each([
    ['main/core/library/any.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['renderer/src/any.ts', "import { createEngine } from '../../main/core/engine.ts';\nexport const e = createEngine;\n"],
    ['shared/any.ts', "import fs from 'node:fs';\nexport const f = fs;\n"],
    ['renderer/src/other.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
  ])('refuses %s reaching across a boundary', async (file, code) => {
    const messages = await lintAs(file, code);
    expect(messages.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  });

  it.each([
    ['main/electron/any.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['renderer/src/any.ts', "import { API } from '../../shared/api/index.ts';\nexport const a = API;\n"],
    ['main/core/any.ts', "import { API } from '../../shared/api/index.ts';\nexport const a = API;\n"],
  ])('allows %s within its layer', async (file, code) => {
    const messages = await lintAs(file, code);
    expect(messages.filter((m) => m.startsWith('no-restricted-imports'))).toEqual([]);
  });
});
