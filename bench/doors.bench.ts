import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { httpClient } from '../shared/api/http-client.ts';
import { createEngine } from '../main/core/engine.ts';
import { createLogger } from '../main/core/log.ts';
import { newToken, startHttpServer } from '../main/server/http-server.ts';
import { median, type Bench } from './harness.ts';

const CALLS = 500;

/** Cost of the HTTP door over the in-process door for the same call. */
const bench: Bench = {
  name: 'doors',
  description: `${CALLS} status calls in-process vs over HTTP (keep-alive) against the same engine`,
  async run() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-bench-'));
    const engine = await createEngine({ dataDir: dir, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
    const token = newToken();
    const server = await startHttpServer({ dispatch: engine.dispatch, events: engine.services.events, log: engine.services.log, token, port: 0 });
    const http = httpClient({ baseUrl: server.url, token });
    try {
      const measure = async (call: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let i = 0; i < CALLS; i++) {
          const t0 = performance.now();
          await call();
          times.push(performance.now() - t0);
        }
        return median(times);
      };
      const inProcess = await measure(() => engine.dispatch('status', {}));
      const overHttp = await measure(() => http.call('status', {}));
      return [
        { metric: 'in-process median', value: inProcess, unit: 'ms' },
        { metric: 'http median', value: overHttp, unit: 'ms' },
        { metric: 'http / in-process', value: overHttp / inProcess, unit: '×' },
      ];
    } finally {
      await server.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
