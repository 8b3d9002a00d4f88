import { IMAGE_SCHEME } from './security.ts';

/**
 * `posterity-img://<sha256>/<thumb|full>`: the only way the window gets image bytes. The URL
 * names a content hash and a size and nothing else, so no path from the renderer ever reaches
 * the filesystem; the engine maps the hash to its own cache file.
 */
export const IMAGE_SIZES = ['thumb', 'full'] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

export interface ImageRequest {
  sha256: string;
  size: ImageSize;
}

// Whole-URL match: one 64-hex host, one known size, optionally a trailing slash, no query,
// no fragment, no user info, no port, no dot segments, no percent-encoding.
const IMAGE_URL = new RegExp(`^${IMAGE_SCHEME}://([0-9a-f]{64})/(${IMAGE_SIZES.join('|')})/?$`);

/** Parses an image URL; null for anything that is not exactly a known hash and size. */
export function parseImageUrl(url: string): ImageRequest | null {
  if (typeof url !== 'string' || url.length > 200) return null;
  const m = IMAGE_URL.exec(url);
  if (!m) return null;
  return { sha256: m[1]!, size: m[2] as ImageSize };
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};

/** The image types the protocol serves, by file extension; anything else is refused. */
export function imageContentType(filePath: string): string | null {
  const dot = filePath.lastIndexOf('.');
  return dot < 0 ? null : (CONTENT_TYPES[filePath.slice(dot).toLowerCase()] ?? null);
}

export interface ImageHandlerDeps {
  /** The engine's cache file for a hash and size, or null when it has none. */
  resolve(request: ImageRequest): Promise<string | null>;
  /** Reads a file the engine named (net.fetch of a file URL in Electron). */
  readFile(absPath: string, contentType: string): Promise<Response>;
}

/** Builds the `protocol.handle` callback. Only GET of a well-formed URL can reach the cache. */
export function createImageHandler(deps: ImageHandlerDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const parsed = parseImageUrl(request.url);
    if (!parsed) return new Response(null, { status: 400 });
    let file: string | null;
    try {
      file = await deps.resolve(parsed);
    } catch {
      return new Response(null, { status: 500 });
    }
    const type = file === null ? null : imageContentType(file);
    if (file === null || type === null) return new Response(null, { status: 404 });
    try {
      const res = await deps.readFile(file, type);
      if (!res.ok) return new Response(null, { status: 404 });
      const headers = new Headers(res.headers);
      headers.set('content-type', type);
      // Content-addressed: the bytes behind a hash never change.
      headers.set('cache-control', 'public, max-age=31536000, immutable');
      headers.set('x-content-type-options', 'nosniff');
      return new Response(res.body, { status: 200, headers });
    } catch {
      return new Response(null, { status: 404 });
    }
  };
}
