import { writeFileSync } from 'node:fs';
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
  const token = extra.token ?? newToken();
  writeFileSync(s.paths.token, `${token}\n`, { mode: 0o600 });
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
  options: { host?: string; port?: number; token?: string } = {},
): Promise<RunningApp> {
  const s = engine.services;
  const jobs = await s.jobs.start();
  const { server, token } = await serveHttp({ engine, io }, options.host ?? '127.0.0.1', options.port ?? 8790, {
    routes: [webhookRoute(s)],
    ...(options.token ? { token: options.token } : {}),
  });
  s.jobs.advertise(server.url);
  let closed = false;
  return {
    server,
    token,
    url: `${server.url}/#token=${token}`,
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
        const app = await startApp(engine, ctx.io, { host, port });
        if (ctx.json) {
          ctx.io.stdout.write(
            `${JSON.stringify({ url: app.url, apiUrl: app.server.url, token: app.token, demo: demo !== null })}\n`,
          );
        } else {
          ctx.io.stdout.write(`Posterity${demo ? ' (demo)' : ''} is running at ${app.url}\n`);
          if (!app.jobs)
            ctx.io.stdout.write('Another Posterity process runs the background jobs of this data folder.\n');
          ctx.io.stdout.write(`API token in ${engine.services.paths.token}. Press Ctrl+C to stop.\n`);
        }
        await untilSignal();
        await app.close();
      } finally {
        await demo?.close();
      }
    },
  },
];
