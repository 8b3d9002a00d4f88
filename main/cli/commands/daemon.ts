import os from 'node:os';
import { parseListenAddress, startWebhookListener } from '../../server/webhook-listener.ts';
import { webhookRoute } from '../../server/webhooks.ts';
import { flagInt, flagString } from '../args.ts';
import { EXIT, type Command } from '../command.ts';
import { serveHttp, untilSignal } from './serve.ts';

/** Seconds running jobs get to finish on SIGTERM before they are stopped and queued again. */
const STOP_GRACE_MS = 10_000;

export const daemonCommands: Command[] = [
  {
    name: 'daemon',
    usage: '[--host 127.0.0.1] [--port N] [--webhook-listen HOST:PORT]',
    summary:
      'Run headless: library watcher, jobs, schedule, Radarr/Sonarr webhooks and the API (logs in the data folder).',
    flags: {
      host: { value: true, description: 'Loopback address to listen on (default 127.0.0.1)' },
      port: { value: true, description: 'Port (default 8790; 0 picks a free one)' },
      'webhook-listen': {
        value: true,
        description:
          'Also answer webhooks (only) on this address, e.g. 0.0.0.0:8791 for Radarr in Docker (setting webhook.listen)',
      },
    },
    async run(ctx, args) {
      const s = ctx.engine.services;
      const log = s.log.child('daemon');
      const started = await s.jobs.start();
      if (!started) {
        ctx.io.stderr.write('posterity: another Posterity process already runs the jobs of this data folder\n');
        return EXIT.failed;
      }
      const { server, token } = await serveHttp(
        ctx,
        flagString(args, 'host') ?? '127.0.0.1',
        flagInt(args, 'port') ?? 8790,
        {
          ui: false,
          routes: [webhookRoute(s)],
        },
      );
      const listen = flagString(args, 'webhook-listen') ?? s.settings.get('webhook.listen');
      let lan: Awaited<ReturnType<typeof startWebhookListener>> | null = null;
      try {
        if (listen)
          lan = await startWebhookListener({ address: parseListenAddress(listen), route: webhookRoute(s), log });
      } catch (err) {
        await server.close();
        await s.jobs.stop({ requeue: true, graceMs: 0 });
        throw err;
      }
      // What Radarr/Sonarr should call, also shown by `webhook-info` (the app's Settings).
      const hookBase = lan ? reachableUrl(lan.url) : server.url;
      s.jobs.advertise(hookBase);
      const secret = await s.jobs.webhookSecret();
      const webhooks = {
        radarr: `${hookBase}/webhooks/radarr?secret=${encodeURIComponent(secret)}`,
        sonarr: `${hookBase}/webhooks/sonarr?secret=${encodeURIComponent(secret)}`,
      };
      log.info(`Daemon running (pid ${process.pid}) at ${server.url}`);
      if (ctx.json) {
        ctx.io.stdout.write(
          `${JSON.stringify({ apiUrl: server.url, port: server.port, token, pid: process.pid, webhooks })}\n`,
        );
      } else {
        ctx.io.stdout.write(
          [
            `Posterity daemon running at ${server.url} (pid ${process.pid}).`,
            `Radarr webhook: ${webhooks.radarr}`,
            `Sonarr webhook: ${webhooks.sonarr}`,
            `API token in ${s.paths.token}; log in ${s.paths.logFile}.`,
            'Watching the libraries. Ctrl+C or SIGTERM stops it.',
            '',
          ].join('\n'),
        );
      }

      const signal = await untilSignal();
      log.info(`Stopping (${signal}); running jobs get ${STOP_GRACE_MS / 1000} s to finish`);
      // No new webhooks while stopping; what was accepted is in the queue already.
      s.jobs.advertise(null);
      await lan?.close();
      await server.close();
      await s.jobs.stop({ requeue: true, graceMs: STOP_GRACE_MS });
      log.info('Daemon stopped');
      return EXIT.ok;
    },
  },
];

/** A wildcard listener is shown with this machine's first LAN address, which Radarr can use. */
function reachableUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname !== '0.0.0.0' && u.hostname !== '[::]') return url;
  const lanAddress = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  u.hostname = lanAddress ?? '127.0.0.1';
  return u.origin;
}
