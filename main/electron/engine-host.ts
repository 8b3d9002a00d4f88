import type { ApiErrorShape } from '../../shared/api/index.ts';
import type { ImageRequest } from './image-protocol.ts';
import type { FromHost, ToHost } from './engine-protocol.ts';
import type { Engine } from '../core/engine.ts';
import type { SecretVault } from '../core/config/secret-vault.ts';

/**
 * The engine's home in the desktop app: an Electron utility process. Scans, hashing, database
 * work and downloads run here, so a long job never stalls the main process (window, menus,
 * protocol) even where a library call is synchronous (SQLite). Main talks to it only through
 * the messages in engine-protocol.ts.
 */

/** The message port of a utility process (`process.parentPort`), or a fake in tests. */
export interface HostPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: FromHost): void;
}

export interface HostOptions {
  /** Builds the engine (tests pass their own). */
  createEngine(
    init: Extract<ToHost, { type: 'init' }>,
    vault: SecretVault | undefined,
  ): Promise<{ engine: Engine; close(): Promise<void> }>;
  /** Ends the process after shutdown (tests pass a no-op). */
  exit(code: number): void;
}

/** Serves one engine over a port until `shutdown`. */
export function serveEngine(port: HostPort, options: HostOptions): void {
  let running: { engine: Engine; close(): Promise<void> } | null = null;
  let starting = false;
  const calls = new Map<number, AbortController>();
  const post = (message: FromHost) => port.postMessage(message);

  const init = async (message: Extract<ToHost, { type: 'init' }>) => {
    if (running || starting) return;
    starting = true;
    const vault: SecretVault | undefined = message.secretsProtected
      ? { load: () => message.secrets, save: (key, value) => post({ type: 'secret', key, value }) }
      : undefined;
    try {
      running = await options.createEngine(message, vault);
      running.engine.services.events.on((event) => post({ type: 'event', event }));
      post({ type: 'ready', dataDir: running.engine.services.paths.root, demo: running.engine.services.demo });
    } catch (err) {
      post({ type: 'fatal', message: describeStartupError(err) });
    } finally {
      starting = false;
    }
  };

  const call = async (message: Extract<ToHost, { type: 'call' }>) => {
    if (!running) {
      post({
        type: 'reply',
        id: message.id,
        ok: false,
        error: { code: 'internal', message: 'The engine is still starting' },
      });
      return;
    }
    const controller = new AbortController();
    calls.set(message.id, controller);
    try {
      const result = await running.engine.dispatch(message.method, message.params, {
        signal: controller.signal,
        onProgress: message.progress ? (progress) => post({ type: 'progress', id: message.id, progress }) : undefined,
      });
      post({ type: 'reply', id: message.id, ok: true, result: result ?? null });
    } catch (err) {
      post({ type: 'reply', id: message.id, ok: false, error: errorShape(err) });
    } finally {
      calls.delete(message.id);
    }
  };

  const image = async (id: number, request: ImageRequest) => {
    try {
      const file = running ? await imagePath(running.engine, request) : null;
      post({ type: 'reply', id, ok: true, result: file });
    } catch (err) {
      post({ type: 'reply', id, ok: false, error: errorShape(err) });
    }
  };

  const shutdown = async () => {
    for (const controller of calls.values()) controller.abort();
    try {
      await running?.close();
    } finally {
      running = null;
      post({ type: 'closed' });
      options.exit(0);
    }
  };

  port.on('message', (e) => {
    const message = e.data as ToHost;
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'init':
        void init(message);
        break;
      case 'call':
        void call(message);
        break;
      case 'cancel':
        calls.get(message.id)?.abort();
        break;
      case 'image':
        void image(message.id, message.request);
        break;
      case 'shutdown':
        void shutdown();
        break;
    }
  });
}

/** The cache file behind a hash, from the cache domain (never a path the window chose). */
async function imagePath(engine: Engine, request: ImageRequest): Promise<string | null> {
  return engine.services.cache.thumbnailPath(request.sha256, request.size);
}

function errorShape(err: unknown): ApiErrorShape {
  const e = err as Partial<ApiErrorShape> | null;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return e.field === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, field: e.field };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** A startup failure worded for the dialog the user will see. */
export function describeStartupError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) {
    return (
      'The database module (better-sqlite3) was built for Node.js, not for this Electron. ' +
      'Rebuild it for Electron (npx electron-builder install-app-deps) or use the browser app: npx posterity serve.\n\n' +
      message
    );
  }
  return message;
}

async function startFromElectron(port: HostPort): Promise<void> {
  serveEngine(port, {
    async createEngine(init, vault) {
      if (init.demo) {
        const { startDemo } = await import('../cli/demo.ts');
        // The demo never touches the user's keychain: its fake keys stay in its temporary folder.
        const demo = await startDemo({ log: (line) => process.stderr.write(`${line}\n`) });
        const stopDuties = await startBackgroundDuties(demo.engine);
        return {
          engine: demo.engine,
          close: async () => {
            await stopDuties();
            await demo.close();
          },
        };
      }
      const { createEngine } = await import('../core/engine.ts');
      const engine = await createEngine({ dataDir: init.dataDir, secrets: vault, consoleLevel: 'warn' });
      const stopDuties = await startBackgroundDuties(engine);
      return {
        engine,
        close: async () => {
          await stopDuties();
          await engine.close();
        },
      };
    },
    exit: (code) => process.exit(code),
  });
}

/**
 * What the daemon does, inside the desktop app: the job workers and schedule, and a loopback
 * HTTP listener for Radarr/Sonarr webhooks (skipped when the port is taken, e.g. by a daemon).
 */
async function startBackgroundDuties(engine: Engine): Promise<() => Promise<void>> {
  const s = engine.services;
  const jobs = await s.jobs.start();
  let server: { close(): Promise<void> } | null = null;
  try {
    const { serveHttp } = await import('../cli/commands/serve.ts');
    const { webhookRoute } = await import('../server/webhooks.ts');
    const io = { stdout: process.stdout, stderr: process.stderr };
    const started = await serveHttp({ engine, io }, '127.0.0.1', WEBHOOK_PORT, {
      ui: false,
      routes: [webhookRoute(s)],
    });
    server = started.server;
    s.jobs.advertise(started.server.url);
  } catch (err) {
    s.log.warn(`Webhooks are not received: port ${WEBHOOK_PORT} is not available (${(err as Error).message})`);
  }
  return async () => {
    s.jobs.advertise(null);
    await server?.close();
    if (jobs) await s.jobs.stop({ requeue: true, graceMs: 5000 });
  };
}

/** The port `posterity serve` and the daemon use too: Radarr's webhook URL stays the same. */
const WEBHOOK_PORT = 8790;

const parentPort = (process as unknown as { parentPort?: HostPort }).parentPort;
if (parentPort) void startFromElectron(parentPort);
