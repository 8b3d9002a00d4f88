import { describe, expect, it } from 'vitest';
import {
  createImageHandler,
  imageContentType,
  parseImageUrl,
  type ImageRequest,
} from '../../main/electron/image-protocol.ts';

const SHA = 'a'.repeat(60) + '0f9e';

describe('posterity-img:// accepts a known hash and size, nothing else', () => {
  it.each([
    [`posterity-img://${SHA}/thumb`, { sha256: SHA, size: 'thumb' }],
    [`posterity-img://${SHA}/full`, { sha256: SHA, size: 'full' }],
    [`posterity-img://${SHA}/full/`, { sha256: SHA, size: 'full' }],
  ])('%s', (url, expected) => {
    expect(parseImageUrl(url)).toEqual(expected);
  });

  it.each([
    ['a short hash', `posterity-img://${'a'.repeat(63)}/thumb`],
    ['a long hash', `posterity-img://${'a'.repeat(65)}/thumb`],
    ['upper-case hex', `posterity-img://${'A'.repeat(64)}/thumb`],
    ['a non-hex hash', `posterity-img://${'g'.repeat(64)}/thumb`],
    ['an unknown size', `posterity-img://${SHA}/huge`],
    ['no size', `posterity-img://${SHA}`],
    ['a path instead of a hash', 'posterity-img://etc/passwd'],
    ['a traversal', `posterity-img://${SHA}/../../../../etc/passwd`],
    ['an encoded traversal', `posterity-img://${SHA}/%2e%2e/thumb`],
    ['an extra segment', `posterity-img://${SHA}/thumb/x`],
    ['a query', `posterity-img://${SHA}/thumb?path=/etc/passwd`],
    ['a fragment', `posterity-img://${SHA}/thumb#x`],
    ['user info', `posterity-img://u@${SHA}/thumb`],
    ['a port', `posterity-img://${SHA}:80/thumb`],
    ['another scheme', `file://${SHA}/thumb`],
    ['a file URL', 'file:///home/user/.ssh/id_rsa'],
    ['an absolute path', '/etc/passwd'],
    ['nothing', ''],
  ])('refuses %s', (_label, url) => {
    expect(parseImageUrl(url)).toBeNull();
  });
});

describe('the protocol handler', () => {
  const calls: ImageRequest[] = [];
  const files: Record<string, string> = {
    [`${SHA}:thumb`]: `/data/cache/thumbs/aa/aa/${SHA}.webp`,
    [`${SHA}:full`]: `/data/cache/assets/aa/aa/${SHA}.jpg`,
  };
  const handler = createImageHandler({
    resolve: async (r) => {
      calls.push(r);
      return files[`${r.sha256}:${r.size}`] ?? null;
    },
    readFile: async (p) => new Response(`bytes of ${p}`, { status: 200 }),
  });

  it('serves a cached thumbnail by hash with its type and an immutable cache header', async () => {
    const res = await handler(new Request(`posterity-img://${SHA}/thumb`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await res.text()).toBe(`bytes of /data/cache/thumbs/aa/aa/${SHA}.webp`);
  });

  it('never asks the engine about a malformed URL', async () => {
    const before = calls.length;
    const res = await handler(new Request(`posterity-img://${SHA}/../../etc/passwd`));
    expect(res.status).toBe(400);
    expect(calls.length).toBe(before);
  });

  it('answers 404 for a hash the cache does not have', async () => {
    expect((await handler(new Request(`posterity-img://${'b'.repeat(64)}/full`))).status).toBe(404);
  });

  it('refuses methods other than GET', async () => {
    expect((await handler(new Request(`posterity-img://${SHA}/thumb`, { method: 'POST', body: 'x' }))).status).toBe(
      405,
    );
  });

  it('refuses to serve a file that is not an image type', async () => {
    const odd = createImageHandler({
      resolve: async () => '/data/secrets.json',
      readFile: async () => new Response('{}'),
    });
    expect((await odd(new Request(`posterity-img://${SHA}/full`))).status).toBe(404);
  });

  it.each([
    ['/x/a.jpg', 'image/jpeg'],
    ['/x/a.PNG', 'image/png'],
    ['/x/a.webp', 'image/webp'],
    ['/x/a.svg', null],
    ['/x/a', null],
  ])('content type of %s is %s', (file, type) => {
    expect(imageContentType(file)).toBe(type);
  });
});
