import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What a router decides before doing any work, so the request can be counted under its pattern. */
export interface RouteMatch {
  /** Route pattern for stats, e.g. "tmdb:/movie/:id". Extra keys are counted too. */
  keys: string[];
  run(): FakeResponse | Promise<FakeResponse>;
}

export type Router = (req: FakeRequest) => RouteMatch;

export const JSON_TYPE = 'application/json;charset=utf-8';

export function json(status: number, value: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: Buffer.from(JSON.stringify(value)) };
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): FakeResponse {
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(body) };
}

export function bytes(body: Buffer, contentType: string, headers: Record<string, string> = {}): FakeResponse {
  return { status: 200, headers: { 'content-type': contentType, ...headers }, body };
}

export function toFakeRequest(req: IncomingMessage): FakeRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return { method: req.method ?? 'GET', url, path: url.pathname, query: url.searchParams, headers: req.headers };
}

/** Writes a complete response with an exact Content-Length and no ETag (see undici retry notes). */
export function send(res: ServerResponse, r: FakeResponse): void {
  if (res.destroyed) return;
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  res.setHeader('content-length', String(r.body.length));
  res.end(r.body);
}

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function shutdown(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
