import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../shared/api/errors.ts';
import type { Logger } from '../core/log.ts';
import { sendJson, type Route, type RunningServer } from './http-server.ts';

/**
 * A second listener that answers webhooks and nothing else, for a Radarr or Sonarr that cannot
 * reach loopback (a container, another machine). The API and the UI stay on the loopback door;
 * here every request needs the webhook secret and every other path is a 404, so exposing it to
 * the network exposes no more than "queue a rescan of a folder in a library".
 */
export async function startWebhookListener(options: {
  address: { host: string; port: number };
  route: Route;
  log: Logger;
}): Promise<RunningServer> {
  const { log, route } = options;
  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    const url = new URL(req.url ?? '/', 'http://webhooks.invalid');
    Promise.resolve(url.pathname.startsWith('/webhooks/') ? route(req, res, url) : false)
      .then((handled) => {
        if (handled) return;
        req.resume();
        sendJson(res, 404, {
          error: { code: 'not_found', message: 'Only /webhooks/radarr and /webhooks/sonarr are served here' },
        });
      })
      .catch((err: unknown) => {
        log.error('Webhook listener failed a request', { error: (err as Error).stack ?? String(err) });
        if (!res.headersSent)
          sendJson(res, 500, { error: { code: 'internal', message: 'The webhook could not be handled' } });
        else res.end();
      });
  });
  const { host, port } = options.address;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ApiError(
          'bad_request',
          `Cannot listen for webhooks on ${host}:${port} (${err.code === 'EADDRINUSE' ? 'the port is in use' : (err.code ?? err.message)})`,
          'webhookListen',
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  log.info(`Webhook listener on http://${shownHost}:${bound} (webhooks only)`);
  return {
    url: `http://${shownHost}:${bound}`,
    port: bound,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `HOST:PORT`, `[v6]:PORT` or a bare `PORT` (all interfaces). */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim()) ?? /^()()(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ApiError(
      'bad_request',
      `"${text}" is not an address to listen on; use HOST:PORT such as 0.0.0.0:8791`,
      'webhookListen',
    );
  return { host: m[1] || m[2] || '0.0.0.0', port };
}
