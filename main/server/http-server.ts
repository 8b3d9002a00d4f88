import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors.ts';
import type { EngineEvent } from '../../shared/api/events.ts';
import { toApiError, type Dispatch } from '../core/api/dispatch.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/log.ts';
import { STATIC_CONTENT_TYPES as CONTENT_TYPES } from '../core/static-content-types.ts';

/** An extra route mounted on the server (webhooks, cache images); returns false when not handled. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

export interface HttpServerOptions {
  dispatch: Dispatch;
  events: EventBus;
  log: Logger;
  token: string;
  host?: string;
  port?: number;
  /** Built renderer to serve at `/` (omit for API only). */
  staticDir?: string | undefined;
  routes?: Route[];
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const STATUS_BY_CODE: Record<string, number> = {
  bad_request: 400,
  unknown_method: 404,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  provider_error: 502,
  io_error: 500,
  cancelled: 499,
  internal: 500,
};

// The UI loads only its own scripts and styles, and images from this origin (cache images).
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The HTTP door: `POST /api/<method>` with a bearer token, `GET /api/events` (server-sent
 * events), extra routes, and the built renderer. It listens on loopback only and refuses
 * requests whose Host is not loopback, which blocks DNS-rebinding pages from reaching it.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    throw new ApiError(
      'bad_request',
      `Posterity serves on loopback only (127.0.0.1, ::1 or localhost), not ${host}`,
      'host',
    );
  }
  const { log } = options;
  const sseClients = new Set<ServerResponse>();
  const unsubscribe = options.events.on((event: EngineEvent) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of sseClients) res.write(line);
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const apiError = toApiError(err, log);
      if (!res.headersSent) sendJson(res, STATUS_BY_CODE[apiError.code] ?? 500, { error: apiError.toJSON() });
      else res.end();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (!hostAllowed(req.headers.host)) {
      sendJson(res, 421, { error: { code: 'unauthorized', message: 'Unexpected Host header' } });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/events' && req.method === 'GET') {
      if (!authorized(req, url, options.token)) return unauthorized(res);
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(heartbeat);
        sseClients.delete(res);
      });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        sendJson(res, 405, { error: { code: 'bad_request', message: 'Use POST for API calls' } });
        return;
      }
      if (!authorized(req, url, options.token)) return unauthorized(res);
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const params = await readJson(req);
      const callId = headerValue(req.headers['x-call-id']);
      const result = await options.dispatch(method, params, {
        onProgress: callId
          ? (progress) => options.events.emit({ type: 'progress', callId, method, progress })
          : undefined,
      });
      sendJson(res, 200, { result: result ?? null });
      return;
    }
    for (const route of options.routes ?? []) {
      if (await route(req, res, url)) return;
    }
    if (options.staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
      serveStatic(options.staticDir, url.pathname, res);
      return;
    }
    sendJson(res, 404, { error: { code: 'not_found', message: 'Not found' } });
  };

  const hostAllowed = (hostHeader: string | undefined): boolean => {
    if (!hostHeader) return false;
    const name = hostHeader.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return isLoopback(name);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      unsubscribe();
      reject(listenError(err, host, options.port ?? 0));
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  log.info(`HTTP door listening on http://${shownHost}:${port}`);
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const res of sseClients) res.end();
        sseClients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A plain message for a port that cannot be used, with what to do about it. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (err.code === 'EADDRINUSE')
    return new ApiError(
      'conflict',
      `Cannot listen on ${where}: the port is in use (is Posterity already running?). Choose another with --port N (0 picks a free one).`,
    );
  if (err.code === 'EACCES')
    return new ApiError('conflict', `Cannot listen on ${where}: permission denied. Choose another with --port N.`);
  return err;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Bearer header, or `?token=` for the few requests a browser cannot add headers to (images, the
 * event stream): reads only. A token in a URL lands in shell history and logs, so nothing that
 * changes anything accepts one.
 */
export function authorized(req: IncomingMessage, url: URL, token: string): boolean {
  const header = headerValue(req.headers.authorization);
  const fromQuery = req.method === 'GET' || req.method === 'HEAD' ? url.searchParams.get('token') : null;
  const given = header?.startsWith('Bearer ') ? header.slice(7) : fromQuery;
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(res: ServerResponse): void {
  sendJson(res, 401, { error: { code: 'unauthorized', message: 'Missing or wrong token' } });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError('bad_request', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError('bad_request', 'The request body is not valid JSON');
  }
}

function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  const base = path.resolve(root);
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    sendJson(res, 400, { error: { code: 'bad_request', message: 'Bad path' } });
    return;
  }
  let file = path.resolve(base, `.${rel}`);
  if (file !== base && !file.startsWith(base + path.sep)) {
    sendJson(res, 403, { error: { code: 'unauthorized', message: 'Forbidden' } });
    return;
  }
  let stat = statSync(file, { throwIfNoEntry: false });
  // Client-side routes fall back to the app shell.
  if (!stat || stat.isDirectory()) {
    file = path.join(base, 'index.html');
    stat = statSync(file, { throwIfNoEntry: false });
  }
  if (!stat) {
    sendJson(res, 404, { error: { code: 'not_found', message: 'The UI is not built; run npm run build' } });
    return;
  }
  const ext = path.extname(file);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-length': stat.size,
    'content-security-policy': CSP,
    'cache-control': ext === '.html' ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  createReadStream(file).pipe(res);
}
