import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiClient } from '../../shared/api/index.ts';
import { inProcessClient } from '../../main/core/api/in-process-client.ts';
import { createEngine, type Engine } from '../../main/core/engine.ts';
import { fixedClock } from '../../main/core/clock.ts';
import { createLogger } from '../../main/core/log.ts';

export interface TestEngine {
  engine: Engine;
  client: ApiClient;
  dataDir: string;
  clock: ReturnType<typeof fixedClock>;
  /** A fresh temp folder (removed at cleanup), e.g. for a library root. */
  tempDir(name?: string): string;
  cleanup(): Promise<void>;
}

/** A real engine on a fresh SQLite file in a temp data dir, with a fixed clock and a quiet log. */
export async function makeTestEngine(options: { env?: NodeJS.ProcessEnv; now?: number } = {}): Promise<TestEngine> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'posterity-test-'));
  const dataDir = path.join(root, 'data');
  const clock = fixedClock(options.now ?? Date.UTC(2026, 0, 15, 12, 0, 0));
  const engine = await createEngine({
    dataDir,
    env: options.env ?? {},
    clock,
    logger: createLogger({ consoleLevel: 'silent', file: path.join(dataDir, 'logs', 'posterity.log') }),
  });
  let n = 0;
  return {
    engine,
    client: inProcessClient(engine.dispatch),
    dataDir,
    clock,
    tempDir(name) {
      const dir = path.join(root, name ?? `tmp${n++}`);
      rmSync(dir, { recursive: true, force: true });
      return mkdtempSync(`${dir}-`);
    },
    async cleanup() {
      await engine.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs the `posterity` command against an engine in this process, capturing what it prints. */
export async function runCli(
  engine: Engine,
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../main/cli/index.ts');
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await main(argv, { io, env: {}, engineFactory: async () => engine });
  return { code, stdout, stderr };
}
