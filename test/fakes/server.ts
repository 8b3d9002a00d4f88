import http from 'node:http';
import type { ServerResponse } from 'node:http';
import { faultOutcome, type FaultOutcome, type Faults } from './faults.ts';
import { send, sleep, text, toFakeRequest, type FakeResponse, type Router } from './http.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { FakeHost, StatsRecorder } from './stats.ts';

export interface ListenerEnv {
  stats: StatsRecorder;
  faults: Faults;
  /** API listeners only. */
  limiter?: RateLimiter;
  rateLimitResponse?: (count: number, limit: number) => FakeResponse;
  /** Read per request so setLatency() applies immediately. */
  latencyMs: () => number;
}

const CHUNK = 64 * 1024;

function waitDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

async function streamHuge(res: ServerResponse, o: Extract<FaultOutcome, { type: 'stream' }>): Promise<void> {
  const json = o.contentType.startsWith('application/json');
  const tail = json ? Buffer.from('"}') : Buffer.alloc(0);
  const head = o.head.subarray(0, Math.max(0, o.bytes - tail.length));
  res.statusCode = o.status;
  res.setHeader('content-type', o.contentType);
  if (o.declareLength) res.setHeader('content-length', String(o.bytes));
  const filler = Buffer.alloc(CHUNK, json ? 0x61 : 0);
  res.write(head);
  let remaining = o.bytes - head.length - tail.length;
  while (remaining > 0 && !res.destroyed) {
    const n = Math.min(CHUNK, remaining);
    remaining -= n;
    if (!res.write(filler.subarray(0, n))) await waitDrainOrClose(res);
  }
  if (!res.destroyed) res.end(tail.subarray(0, Math.max(0, o.bytes - head.length)));
}

/** Sends the headers and part of the body, then kills the socket mid-body. */
function truncate(res: ServerResponse, r: FakeResponse): void {
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  res.setHeader('content-length', String(r.body.length));
  const part = r.body.subarray(0, Math.floor(r.body.length / 2));
  res.flushHeaders();
  res.write(part, () => res.destroy());
}

/**
 * One listener: counts the request, applies the rate limiter, then any injected fault, then the
 * route; API listeners add the configured latency before answering.
 */
export function createFakeServer(host: FakeHost, router: Router, env: ListenerEnv): http.Server {
  const server = http.createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: http.IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    req.resume();
    const freq = toFakeRequest(req);
    let match: ReturnType<Router>;
    try {
      match = router(freq);
    } catch (err) {
      send(res, text(503, `fake ${host} not ready: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    env.stats.record(host, match.keys);
    env.stats.enter(host);
    res.once('close', () => env.stats.leave(host));
    try {
      const latency = env.latencyMs();
      const over = env.limiter?.take() ?? null;
      if (over !== null && env.rateLimitResponse && env.limiter?.limit != null) {
        env.stats.rateLimited429++;
        if (latency > 0) await sleep(latency);
        send(res, env.rateLimitResponse(over, env.limiter.limit));
        return;
      }
      const rule = env.faults.take(host, freq.url.pathname + freq.url.search);
      if (rule) {
        env.stats.faultsInjected++;
        const outcome = await faultOutcome(rule, host, async () => match.run());
        if (outcome.type === 'hang') return; // answered never; the socket dies at close()
        if (latency > 0) await sleep(latency);
        if (outcome.type === 'send') send(res, outcome.response);
        else if (outcome.type === 'truncate') truncate(res, outcome.response);
        else await streamHuge(res, outcome);
        return;
      }
      const response = await match.run();
      if (latency > 0) await sleep(latency);
      send(res, response);
    } catch (err) {
      send(res, text(500, `fake provider error: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  return server;
}
