import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ApiError } from '../../shared/api/errors.ts';
import { toApiError, type Dispatch } from '../core/api/dispatch.ts';
import type { Logger } from '../core/log.ts';
import { authorized, sendJson, type Route } from './http-server.ts';

/** Larger than any real artwork; the cache's validation gate has its own, stricter limits. */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

const STATUS: Record<string, number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  io_error: 500,
  internal: 500,
};

/**
 * `POST /upload?itemId=&type=&rank=` with the image bytes as the body: how a browser hands a
 * local image to `cache-import`, which takes a path. The bytes land in the cache's temp folder,
 * go through the same dispatcher (and validation) as any call, and the temp file is removed.
 */
export function uploadRoute(options: { dispatch: Dispatch; token: string; tmpDir: string; log: Logger }): Route {
  return async (req, res, url) => {
    if (url.pathname !== '/upload') return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: { code: 'bad_request', message: 'Use POST to upload' } });
      return true;
    }
    if (!authorized(req, url, options.token)) {
      req.resume();
      sendJson(res, 401, { error: { code: 'unauthorized', message: 'Missing or wrong token' } });
      return true;
    }
    const itemId = Number(url.searchParams.get('itemId'));
    const type = url.searchParams.get('type') ?? '';
    const rankText = url.searchParams.get('rank');
    // The user's name for the file: messages speak of it, never of our temp file.
    const name = printableName(url.searchParams.get('name')) ?? 'The uploaded image';
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_UPLOAD_BYTES) {
      req.resume();
      sendJson(res, 413, { error: { code: 'bad_request', message: 'The image is larger than 64 MB' } });
      return true;
    }
    await mkdir(options.tmpDir, { recursive: true });
    const file = path.join(options.tmpDir, `upload-${randomBytes(8).toString('hex')}.tmp`);
    try {
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > MAX_UPLOAD_BYTES) done(new ApiError('bad_request', 'The image is larger than 64 MB'));
          else done(null, chunk);
        },
      });
      await pipeline(req, limit, createWriteStream(file, { flags: 'wx' }));
      if (size === 0) throw new ApiError('bad_request', `${name} is empty (0 bytes)`);
      const params: Record<string, unknown> = { itemId, type, file };
      if (rankText !== null) params.rank = Number(rankText);
      const result = await options.dispatch('cache-import', params);
      sendJson(res, 200, { result });
    } catch (err) {
      const apiError = toApiError(err, options.log, 'upload');
      const named = new ApiError(apiError.code, apiError.message.replaceAll(file, name), apiError.field);
      sendJson(res, STATUS[apiError.code] ?? 500, { error: named.toJSON() });
    } finally {
      await rm(file, { force: true });
    }
    return true;
  };
}

/** A file name fit for a message: its last segment, control characters removed, not too long. */
function printableName(raw: string | null): string | null {
  const base = [...(raw?.split(/[\\/]/).pop() ?? '')]
    .filter((c) => c.charCodeAt(0) > 0x1f && c !== '\u007f')
    .join('')
    .trim();
  if (!base) return null;
  return base.length > 120 ? `${base.slice(0, 117)}…` : base;
}
