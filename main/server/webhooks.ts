import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../shared/api/errors.ts';
import type { ArrSource } from '../core/jobs/arr-events.ts';
import type { Services } from '../core/services.ts';
import { sendJson, type Route } from './http-server.ts';

const MAX_WEBHOOK_BYTES = 1024 * 1024;
const PATH = /^\/webhooks\/(radarr|sonarr)\/?$/;

/**
 * `POST /webhooks/radarr` and `POST /webhooks/sonarr`. The caller proves it knows the webhook
 * secret with `?secret=`, the `X-Posterity-Secret` header, or as the password of HTTP Basic auth
 * (the Username/Password fields of Radarr's Webhook connection). Answers: 200 for Test and
 * Health, 202 with `{"status":"queued"}` or `{"status":"ignored","reason":…}`, 400 for a body
 * that is not JSON or not a webhook, 401 for a wrong secret.
 */
export function webhookRoute(s: Services): Route {
  const log = s.log.child('webhook');
  return async (req, res, url) => {
    const match = PATH.exec(url.pathname);
    if (!match) return false;
    const source = match[1] as ArrSource;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, { error: { code: 'bad_request', message: 'Webhooks are POSTed' } });
      return true;
    }
    if (!secretMatches(req, url, await s.jobs.webhookSecret())) {
      req.resume();
      log.warn(`Refused a ${source} webhook with a missing or wrong secret`, { from: req.socket.remoteAddress });
      sendJson(res, 401, { error: { code: 'unauthorized', message: 'Missing or wrong webhook secret' } });
      return true;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      const message = err instanceof ApiError ? err.message : 'The body is not valid JSON';
      log.warn(`Refused a ${source} webhook: ${message}`);
      sendJson(res, 400, { error: { code: 'bad_request', message } });
      return true;
    }
    try {
      const outcome = await s.jobs.handleWebhook(source, body);
      sendJson(res, outcome.status === 'ok' || outcome.status === 'logged' ? 200 : 202, outcome);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'bad_request') throw err;
      sendJson(res, 400, { error: err.toJSON() });
    }
    return true;
  };
}

function secretMatches(req: IncomingMessage, url: URL, secret: string): boolean {
  const header = req.headers['x-posterity-secret'];
  const given = url.searchParams.get('secret') ?? (Array.isArray(header) ? header[0] : header) ?? basicPassword(req);
  if (!given || !secret) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function basicPassword(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_WEBHOOK_BYTES) throw new ApiError('bad_request', 'The webhook body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
