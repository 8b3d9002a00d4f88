import type { FakeCatalogue, FakeFanartImage, FakeTmdbImage } from './catalogue.ts';
import { TMDB_ORIGINAL_QUALITY, TMDB_RESIZED_QUALITY } from './catalogue.ts';
import { bytes, text, type FakeResponse, type RouteMatch, type Router } from './http.ts';
import { renderPicture, type PictureFormat } from './images.ts';
import { TMDB_IMAGE_SIZES } from './tmdb-routes.ts';

const CONTENT_TYPES: Readonly<Record<PictureFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  svg: 'image/svg+xml',
};

const IMAGE_HEADERS = { 'cache-control': 'public, max-age=31536000', 'access-control-allow-origin': '*' };
const notFound = (): FakeResponse => text(404, 'Not Found');

const SIZES_BY_KIND: Readonly<Record<FakeTmdbImage['kind'], readonly string[]>> = {
  poster: TMDB_IMAGE_SIZES.poster_sizes,
  backdrop: TMDB_IMAGE_SIZES.backdrop_sizes,
  logo: TMDB_IMAGE_SIZES.logo_sizes,
  profile: TMDB_IMAGE_SIZES.profile_sizes,
};

/** Target pixel size for a TMDB size token; never upscales, like the real CDN. */
export function tmdbTargetSize(
  img: { width: number; height: number },
  size: string,
): { width: number; height: number } {
  if (size === 'original') return { width: img.width, height: img.height };
  const n = Number(size.slice(1));
  if (size.startsWith('h')) {
    const height = Math.min(n, img.height);
    return { width: Math.max(1, Math.round((img.width * height) / img.height)), height };
  }
  const width = Math.min(n, img.width);
  return { width, height: Math.max(1, Math.round((img.height * width) / img.width)) };
}

async function serveTmdb(img: FakeTmdbImage, size: string, ext: string): Promise<FakeResponse> {
  // SVG logos exist as .svg (served untouched) and as .png renderings at any size.
  if (img.file_type === '.svg' && ext === '.svg') {
    return bytes(await renderPicture(img.pictureId, img.width, img.height, 'svg'), CONTENT_TYPES.svg, IMAGE_HEADERS);
  }
  const format: PictureFormat = img.kind === 'logo' ? 'png' : 'jpeg';
  const { width, height } = tmdbTargetSize(img, size);
  const quality = size === 'original' ? TMDB_ORIGINAL_QUALITY : TMDB_RESIZED_QUALITY;
  return bytes(
    await renderPicture(img.pictureId, width, height, format, quality),
    CONTENT_TYPES[format],
    IMAGE_HEADERS,
  );
}

const TMDB_IMAGE = /^\/t\/p\/([a-z0-9]+)\/([A-Za-z0-9]+)(\.[a-z]+)$/;

export function tmdbImageRouter(catalogue: FakeCatalogue): Router {
  return (req): RouteMatch => {
    const m = TMDB_IMAGE.exec(req.path);
    if (!m) return { keys: ['tmdb-img'], run: notFound };
    const [, size = '', name = '', ext = ''] = m;
    return {
      keys: ['tmdb-img', `tmdb-img:${size}`],
      run: () => {
        const img = catalogue.tmdbImageByFile(name);
        if (!img || !SIZES_BY_KIND[img.kind].includes(size)) return notFound();
        const realExt = img.file_path.slice(img.file_path.lastIndexOf('.'));
        if (ext !== realExt && !(img.file_type === '.svg' && ext === '.png')) return notFound();
        return serveTmdb(img, size, ext);
      },
    };
  };
}

/** Preview renditions are scaled to this width (never upscaled). */
export const FANART_PREVIEW_WIDTH = { fanart: 0, preview: 200, bigpreview: 400 } as const;

export function fanartTargetSize(
  img: FakeFanartImage,
  variant: keyof typeof FANART_PREVIEW_WIDTH,
): { width: number; height: number } {
  const w = FANART_PREVIEW_WIDTH[variant];
  if (w === 0 || w >= img.width) return { width: img.width, height: img.height };
  return { width: w, height: Math.max(1, Math.round((img.height * w) / img.width)) };
}

const FANART_ASSET = /^\/(fanart|preview|bigpreview)\/(movies\/.+)$/;

export function fanartAssetRouter(catalogue: FakeCatalogue): Router {
  return (req): RouteMatch => {
    const m = FANART_ASSET.exec(req.path);
    if (!m) return { keys: ['fanart-img'], run: notFound };
    const variant = (m[1] ?? 'fanart') as keyof typeof FANART_PREVIEW_WIDTH;
    const path = decodeURIComponent(m[2] ?? '');
    return {
      keys: ['fanart-img', `fanart-img:${variant}`],
      run: async () => {
        const img = catalogue.fanartImageByPath(path);
        if (!img) return notFound();
        const { width, height } = fanartTargetSize(img, variant);
        const quality = variant === 'fanart' ? img.quality : 75;
        return bytes(
          await renderPicture(img.pictureId, width, height, img.format, quality),
          CONTENT_TYPES[img.format],
          IMAGE_HEADERS,
        );
      },
    };
  };
}
