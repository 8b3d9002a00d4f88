import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CacheDomain } from '../core/cache/index.ts';
import { isSha256, THUMB_SIZES, type ThumbSize } from '../core/cache/layout.ts';
import { authorized, sendJson, type Route } from './http-server.ts';

const MIME_BY_EXT: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

/**
 * `GET /img/<sha256>/<thumb|full>?token=…`: cached images for the browser UI. Only a 64-hex
 * hash and a known size are accepted (400/404 otherwise), so the URL can never name another
 * file. Content-addressed, hence cacheable for ever.
 */
export function imageRoute(cache: Pick<CacheDomain, 'thumbnailPath'>, token: string): Route {
  return async (req, res, url) => {
    if (!url.pathname.startsWith('/img/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'bad_request', message: 'Use GET for images' } });
      return true;
    }
    if (!authorized(req, url, token)) {
      sendJson(res, 401, { error: { code: 'unauthorized', message: 'Missing or wrong token' } });
      return true;
    }
    const parts = url.pathname.slice('/img/'.length).split('/');
    const [sha, size] = parts;
    if (parts.length !== 2 || !sha || !isSha256(sha)) {
      sendJson(res, 400, { error: { code: 'bad_request', message: 'Expected /img/<sha256>/<thumb|full>' } });
      return true;
    }
    if (!size || !(THUMB_SIZES as readonly string[]).includes(size)) {
      sendJson(res, 404, { error: { code: 'not_found', message: `No image size "${size ?? ''}"` } });
      return true;
    }
    const file = await cache.thumbnailPath(sha, size as ThumbSize);
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info) {
      sendJson(res, 404, { error: { code: 'not_found', message: 'No such image in the cache' } });
      return true;
    }
    const etag = `"${sha}-${size}"`;
    const headers = {
      'content-type': MIME_BY_EXT[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
      'content-security-policy': "default-src 'none'",
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': info.size });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((resolve) => {
      const stream = createReadStream(file);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
    return true;
  };
}
