import { writeFileSync } from 'node:fs';
import { newToken, startHttpServer } from '../../server/http-server.ts';
import { flagInt, flagString } from '../args.ts';
import type { Command, CommandContext } from '../command.ts';
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

export async function serveHttp(ctx: CommandContext, host: string, port: number | undefined) {
  const { engine } = ctx;
  const token = newToken();
  writeFileSync(engine.services.paths.token, `${token}\n`, { mode: 0o600 });
  const staticDir = await ensureRendererBuilt(ctx.io);
  const server = await startHttpServer({
    dispatch: engine.dispatch,
    events: engine.services.events,
    log: engine.services.log.child('http'),
    token,
    host,
    port,
    staticDir,
  });
  return { server, token };
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
      const { server, token } = await serveHttp(ctx, flagString(args, 'host') ?? '127.0.0.1', flagInt(args, 'port') ?? 8790);
      const url = `${server.url}/#token=${token}`;
      if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ url, apiUrl: server.url, token })}\n`);
      else {
        ctx.io.stdout.write(`Posterity is running at ${url}\n`);
        ctx.io.stdout.write(`API token (also in ${ctx.engine.services.paths.token}). Press Ctrl+C to stop.\n`);
      }
      await untilSignal();
      await server.close();
    },
  },
];
