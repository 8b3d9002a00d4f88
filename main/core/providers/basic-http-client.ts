import { Agent, request } from 'undici';
import { HttpError, redactUrl, type DownloadOptions, type HttpClient, type JsonResponse } from './http.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A plain undici client: timeouts and size caps, no rate limit, retry or cache. The providers
 * domain replaces it with the full client; it exists so other domains work from day one.
 */
export function basicHttpClient(): HttpClient {
  const agent = new Agent({ connections: 8, keepAliveTimeout: 10_000 });
  const json = async (url: string, init: Parameters<typeof request>[1]): Promise<JsonResponse> => {
    try {
      const res = await request(url, { ...init, dispatcher: agent });
      const text = await res.body.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, body, text: text.slice(0, 500), fromCache: false };
    } catch (err) {
      throw new HttpError('network', `${redactUrl(url)}: ${(err as Error).message}`);
    }
  };
  return {
    getJson: (url, o) =>
      json(url, { method: 'GET', headers: o.headers, signal: o.signal, headersTimeout: o.timeoutMs ?? DEFAULT_TIMEOUT_MS, bodyTimeout: o.timeoutMs ?? DEFAULT_TIMEOUT_MS }),
    postJson: (url, body, o) =>
      json(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: JSON.stringify(body),
        signal: o.signal,
      }),
    async download(url: string, o: DownloadOptions) {
      try {
        const res = await request(url, {
          dispatcher: agent,
          headers: o.headers,
          signal: o.signal,
          headersTimeout: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          bodyTimeout: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          maxResponseSize: o.maxBytes,
        } as Parameters<typeof request>[1]);
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (err) {
        throw new HttpError('network', `${redactUrl(url)}: ${(err as Error).message}`);
      }
    },
    close: () => agent.close(),
  };
}
