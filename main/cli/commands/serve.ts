import { closeSync, linkSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import type { Engine } from '../../core/engine.ts';
import { imageRoute } from '../../server/image-route.ts';
import { newToken, startHttpServer, type Route, type RunningServer } from '../../server/http-server.ts';
import { uploadRoute } from '../../server/upload-route.ts';
import { webhookRoute } from '../../server/webhooks.ts';
import { flagBool, flagInt, flagString } from '../args.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Io } from '../output.ts';
import type { Demo } from '../demo.ts';
import { ensureRendererBuilt } from '../renderer-build.ts';

/** Resolves when the process is asked to stop. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * The HTTP door with the browser app: API, event stream, cache images (`/img/<sha>/<size>`),
 * uploads, plus any `routes` given. `ui: false` serves the API and `routes` only (the daemon).
 */
export async function serveHttp(
  ctx: Pick<CommandContext, 'engine' | 'io'>,
  host: string,
  port: number | undefined,
  extra: { ui?: boolean; routes?: Route[]; token?: string } = {},
) {
  const { engine } = ctx;
  const s = engine.services;
  const token = extra.token !== undefined ? writeToken(s.paths.token, extra.token) : folderToken(s.paths.token);
  const ui = extra.ui !== false;
  const staticDir = ui ? await ensureRendererBuilt(ctx.io) : undefined;
  const routes: Route[] = [...(extra.routes ?? [])];
  if (ui) {
    routes.push(
      imageRoute(s.cache, token),
      uploadRoute({ dispatch: engine.dispatch, token, tmpDir: s.paths.tmp, log: s.log.child('upload') }),
    );
  }
  const server = await startHttpServer({
    dispatch: engine.dispatch,
    events: s.events,
    log: s.log.child('http'),
    token,
    host,
    port,
    staticDir,
    routes,
  });
  return { server, token };
}

/** A token as `newToken()` makes it (24 random bytes, base64url), or a longer one. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,256}$/;

/**
 * The one token of a data folder, shared by every `serve`, `daemon` and desktop start, so that
 * open tabs, bookmarks and clients reading `server-token` keep working across restarts and
 * beside each other. The file is reused only when it is a regular file that only its owner (this
 * user) can read; otherwise, or when it is missing or malformed, a new token replaces it (0600).
 */
export function folderToken(file: string): string {
  for (let tries = 0; tries < 5; tries++) {
    const existing = readPrivateToken(file);
    if (existing.token) return existing.token;
    if (existing.present) unlinkQuietly(file);
    // Written whole under a temporary name, then linked into place: a process starting at the
    // same moment either sees no file or the complete token, and the first link wins.
    const token = newToken();
    const tmp = `${file}.${process.pid}.${token.slice(0, 8)}.tmp`;
    writeNew(tmp, token);
    try {
      linkSync(tmp, file);
      return token;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Another process wrote one first: use that one (next turn).
    } finally {
      unlinkQuietly(tmp);
    }
  }
  throw new Error(`Cannot create the API token file ${file}`);
}

/** Writes a given token (tests pass one) as the folder's token, private to this user. */
function writeToken(file: string, token: string): string {
  unlinkQuietly(file);
  writeNew(file, token);
  return token;
}

function readPrivateToken(file: string): { present: boolean; token?: string } {
  let stat;
  try {
    stat = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { present: false };
    throw err;
  }
  if (!stat.isFile()) return { present: true };
  if (process.platform !== 'win32') {
    const ownUid = process.getuid?.();
    if ((stat.mode & 0o077) !== 0 || (ownUid !== undefined && stat.uid !== ownUid)) return { present: true };
  }
  const text = readFileSync(file, 'utf8').trim();
  return TOKEN_PATTERN.test(text) ? { present: true, token: text } : { present: true };
}

function writeNew(file: string, token: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export interface RunningApp {
  server: RunningServer;
  token: string;
  /** The address to open, token in the fragment (never sent to the server in a request line). */
  url: string;
  /** Whether this process runs the background jobs (false when another process already does). */
  jobs: boolean;
  close(): Promise<void>;
}

/**
 * What `serve` runs: the HTTP door with the UI and webhooks, and the background jobs (automation,
 * schedule) unless another process of this data folder already runs them. Tests start the same.
 */
export async function startApp(
  engine: Engine,
  io: Io,
  options: {
    host?: string;
    port?: number;
    token?: string;
    /**
     * Called once the server listens, before the background jobs start (watching a large
     * library takes a while): `serve` prints its address here.
     */
    onListening?: (listening: { server: RunningServer; token: string; url: string }) => void;
  } = {},
): Promise<RunningApp> {
  const s = engine.services;
  // The door opens first: a port in use fails here, before any worker starts. API calls made
  // before the workers run only queue jobs, which wait for them.
  const { server, token } = await serveHttp({ engine, io }, options.host ?? '127.0.0.1', options.port ?? 8790, {
    routes: [webhookRoute(s)],
    ...(options.token ? { token: options.token } : {}),
  });
  const url = `${server.url}/#token=${token}`;
  s.jobs.advertise(server.url);
  let jobs: boolean;
  try {
    options.onListening?.({ server, token, url });
    jobs = await s.jobs.start();
  } catch (err) {
    s.jobs.advertise(null);
    await server.close();
    throw err;
  }
  let closed = false;
  return {
    server,
    token,
    url,
    jobs,
    async close() {
      if (closed) return;
      closed = true;
      s.jobs.advertise(null);
      await server.close();
      if (jobs) await s.jobs.stop({ requeue: true, graceMs: 5000 });
    },
  };
}

export const serveCommands: Command[] = [
  {
    name: 'serve',
    usage: '[--host 127.0.0.1] [--port N] [--demo]',
    summary: 'Serve the app and the API in a browser on this machine (prints the URL).',
    flags: {
      host: { value: true, description: 'Loopback address to listen on (default 127.0.0.1)' },
      port: { value: true, description: 'Port (default 8790; 0 picks a free one)' },
      demo: { description: 'Fake providers and a generated sample library in a temporary folder' },
    },
    async run(ctx, args) {
      const host = flagString(args, 'host') ?? '127.0.0.1';
      const port = flagInt(args, 'port') ?? 8790;
      let demo: Demo | null = null;
      if (flagBool(args, 'demo')) {
        const { startDemo } = await import('../demo.ts');
        ctx.io.stderr.write('Starting the demo: fake artwork services and a sample library…\n');
        demo = await startDemo({ log: (line) => ctx.io.stderr.write(`  ${line}\n`) });
      }
      const engine = demo?.engine ?? ctx.engine;
      try {
        const app = await startApp(engine, ctx.io, {
          host,
          port,
          onListening: ({ server, token, url }) => {
            if (ctx.json) {
              ctx.io.stdout.write(`${JSON.stringify({ url, apiUrl: server.url, token, demo: demo !== null })}\n`);
            } else {
              ctx.io.stdout.write(`Posterity${demo ? ' (demo)' : ''} is running at ${url}\n`);
              ctx.io.stdout.write(`API token in ${engine.services.paths.token}. Press Ctrl+C to stop.\n`);
            }
          },
        });
        if (!app.jobs && !ctx.json)
          ctx.io.stdout.write('Another Posterity process runs the background jobs of this data folder.\n');
        await untilSignal();
        await app.close();
      } finally {
        await demo?.close();
      }
    },
  },
];
