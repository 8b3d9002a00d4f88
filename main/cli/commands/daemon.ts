import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import { parseListenAddress, startWebhookListener } from '../../server/webhook-listener.ts';
import { webhookRoute } from '../../server/webhooks.ts';
import { flagInt, flagString } from '../args.ts';
import { EXIT, type Command } from '../command.ts';
import { serveHttp, untilSignal } from './serve.ts';
import { processAlive } from '../../core/process-alive.ts';
import { maskSecret } from '../../../shared/settings.ts';

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
      const refuse = () => {
        ctx.io.stderr.write('posterity: another Posterity process already runs the jobs of this data folder\n');
        return EXIT.failed;
      };
      // Cheap early answer; `jobs.start()` below is the real check.
      if (jobsRunElsewhere(path.join(s.paths.root, 'jobs.lock'))) return refuse();
      const listen = flagString(args, 'webhook-listen') ?? s.settings.get('webhook.listen');
      const listenAddress = listen ? parseListen(listen, flagString(args, 'webhook-listen') === undefined) : null;
      // The ports are bound first, so one in use fails here, before any worker starts.
      const { server, token } = await serveHttp(
        ctx,
        flagString(args, 'host') ?? '127.0.0.1',
        flagInt(args, 'port') ?? 8790,
        {
          ui: false,
          routes: [webhookRoute(s)],
        },
      );
      let lan: Awaited<ReturnType<typeof startWebhookListener>> | null = null;
      try {
        if (listenAddress) lan = await startWebhookListener({ address: listenAddress, route: webhookRoute(s), log });
      } catch (err) {
        await server.close();
        // A value from the setting is not a --webhook-listen the user typed.
        if (err instanceof ApiError && flagString(args, 'webhook-listen') === undefined)
          throw new ApiError('conflict', `${err.message} (setting webhook.listen)`);
        throw err;
      }
      const closeDoors = async () => {
        s.jobs.advertise(null);
        await lan?.close();
        await server.close();
      };
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
            // The secret stays out of journald and container logs; `webhook info --reveal` shows it.
            `Radarr webhook: ${webhooks.radarr.replace(encodeURIComponent(secret), String(maskSecret(secret)))}`,
            `Sonarr webhook: ${webhooks.sonarr.replace(encodeURIComponent(secret), String(maskSecret(secret)))}`,
            'The whole webhook URLs, secret included: posterity webhook info --reveal',
            `API token in ${s.paths.token}; log in ${s.paths.logFile}.`,
            'Watching the libraries. Ctrl+C or SIGTERM stops it.',
            '',
          ].join('\n'),
        );
      }
      const addressFile = writeDaemonAddress(s.paths.root, {
        pid: process.pid,
        apiUrl: server.url,
        webhookBase: hookBase,
      });
      const closeDoorsAndForget = async () => {
        removeDaemonAddress(addressFile);
        await closeDoors();
      };
      // Requests that come before the workers run queue jobs, which wait for them.
      let started: boolean;
      try {
        started = await s.jobs.start();
      } catch (err) {
        await closeDoorsAndForget();
        throw err;
      }
      if (!started) {
        await closeDoorsAndForget();
        return refuse();
      }

      const signal = await untilSignal();
      log.info(`Stopping (${signal}); running jobs get ${STOP_GRACE_MS / 1000} s to finish`);
      // No new webhooks while stopping; what was accepted is in the queue already.
      await closeDoorsAndForget();
      await s.jobs.stop({ requeue: true, graceMs: STOP_GRACE_MS });
      log.info('Daemon stopped');
      return EXIT.ok;
    },
  },
];

/** Where a running daemon listens, in `<data>/daemon.json` while it runs (`webhook info` reads it). */
export interface DaemonAddress {
  pid: number;
  apiUrl: string;
  /** The base of the webhook URLs (the LAN listener when there is one). */
  webhookBase: string;
}

const ADDRESS_FILE = 'daemon.json';

function writeDaemonAddress(root: string, address: DaemonAddress): string {
  const file = path.join(root, ADDRESS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(address)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

function removeDaemonAddress(file: string): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as DaemonAddress).pid === process.pid) unlinkSync(file);
  } catch {
    // Gone already, or not ours.
  }
}

/** The daemon of this data folder that is running now, if one is. */
export function runningDaemon(root: string): DaemonAddress | null {
  try {
    const address = JSON.parse(readFileSync(path.join(root, ADDRESS_FILE), 'utf8')) as Partial<DaemonAddress>;
    if (
      typeof address.pid !== 'number' ||
      typeof address.webhookBase !== 'string' ||
      typeof address.apiUrl !== 'string'
    )
      return null;
    return processAlive(address.pid) ? (address as DaemonAddress) : null;
  } catch {
    return null;
  }
}

/** Where webhooks go when a daemon starts with the settings: `webhook.listen`, else the HTTP door. */
export function configuredWebhookBase(listen: string | undefined | null): string {
  if (listen) {
    try {
      const { host, port } = parseListenAddress(listen);
      return reachableUrl(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    } catch {
      // A bad setting: the daemon refuses to start with it; show the default door.
    }
  }
  return 'http://127.0.0.1:8790';
}

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

/** Whether a live process other than this one holds the data folder's job lock. */
function jobsRunElsewhere(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
  } catch {
    return false;
  }
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid);
}

/** `webhook.listen`, with an error that names where a bad value came from. */
function parseListen(text: string, fromSetting: boolean): { host: string; port: number } {
  try {
    return parseListenAddress(text);
  } catch (err) {
    if (!fromSetting || !(err instanceof ApiError)) throw err;
    throw new ApiError(
      'conflict',
      `The setting webhook.listen is not an address to listen on ("${text}"); fix it with \`posterity config set webhook.listen HOST:PORT\` or pass --webhook-listen`,
    );
  }
}
