import { TMDB_IMAGE_KINDS, TMDB_IMAGE_KIND_NAMES, TMDB_LOGO_MAX_ORIGINAL_WIDTH } from './asset-map.ts';
import { normalizeLanguage, normalizeRegion } from './language.ts';
import type { ProviderCandidate } from './provider.ts';
import type { TmdbImage, TmdbImageConfig, TmdbImages } from './tmdb-schemas.ts';

type SizeListName = 'poster_sizes' | 'backdrop_sizes' | 'logo_sizes' | 'profile_sizes';

/** `{base}{size}{file_path}`, the base always from /configuration. */
export function tmdbImageUrl(config: TmdbImageConfig, size: string, filePath: string): string {
  const base = config.secure_base_url.endsWith('/') ? config.secure_base_url : `${config.secure_base_url}/`;
  return `${base}${size}${filePath}`;
}

const widthOf = (size: string): number => (size.startsWith('w') ? Number(size.slice(1)) : Number.POSITIVE_INFINITY);

/**
 * The wanted rendition if the configuration offers it, else the smallest listed width that is at
 * least as wide, else `original`. Never a size the configuration does not list.
 */
export function pickSize(available: readonly string[], wanted: string): string {
  if (available.includes(wanted)) return wanted;
  const target = widthOf(wanted);
  const wider = available
    .filter((s) => s.startsWith('w') && widthOf(s) >= target)
    .sort((a, b) => widthOf(a) - widthOf(b));
  return wider[0] ?? 'original';
}

/** The largest resized width the configuration lists (for logos too big to fetch whole). */
function largestResized(available: readonly string[]): string | null {
  const widths = available.filter((s) => s.startsWith('w')).sort((a, b) => widthOf(b) - widthOf(a));
  return widths[0] ?? null;
}

/** The picture of a TMDB profile (actor photo), in a size fit for `.actors/`. */
export function tmdbProfileUrl(config: TmdbImageConfig, profilePath: string | null): string | null {
  if (!profilePath) return null;
  return tmdbImageUrl(config, pickSize(config.profile_sizes, 'h632'), profilePath);
}

/** A poster thumbnail for the "needs match" choices. */
export function tmdbPosterPreviewUrl(config: TmdbImageConfig, posterPath: string | null): string | null {
  if (!posterPath) return null;
  return tmdbImageUrl(config, pickSize(config.poster_sizes, TMDB_IMAGE_KINDS.posters.preview), posterPath);
}

/**
 * TMDB images as candidates. Full URL = `original`, except logos: SVG logos are fetched as the PNG
 * rendition TMDB makes of them, and giant logos at the largest resized width, with the size we
 * will actually receive.
 */
export function tmdbCandidates(images: TmdbImages, config: TmdbImageConfig): ProviderCandidate[] {
  const out: ProviderCandidate[] = [];
  for (const kind of TMDB_IMAGE_KIND_NAMES) {
    const spec = TMDB_IMAGE_KINDS[kind];
    const sizes = config[spec.sizes as SizeListName];
    for (const img of images[kind] ?? []) {
      out.push(
        candidate(config, img, {
          isLogo: kind === 'logos',
          type: spec.type,
          previewSize: pickSize(sizes, spec.preview),
          sizes,
        }),
      );
    }
  }
  return out;
}

function candidate(
  config: TmdbImageConfig,
  img: TmdbImage,
  kind: { isLogo: boolean; type: ProviderCandidate['assetType']; previewSize: string; sizes: readonly string[] },
): ProviderCandidate {
  const isSvg = kind.isLogo && (img.file_type === '.svg' || img.file_path.toLowerCase().endsWith('.svg'));
  // TMDB renders any logo as PNG at a resized width; `original` of an SVG is the SVG itself.
  const path = isSvg ? img.file_path.replace(/\.svg$/i, '.png') : img.file_path;
  let size = 'original';
  let width = img.width;
  let height = img.height;
  if (kind.isLogo && (isSvg || img.width > TMDB_LOGO_MAX_ORIGINAL_WIDTH)) {
    const resized = largestResized(kind.sizes);
    if (resized) {
      size = resized;
      const w = Math.min(widthOf(resized), img.width);
      height = Math.max(1, Math.round((img.height * w) / img.width));
      width = w;
    }
  }
  return {
    assetType: kind.type,
    provider: 'tmdb',
    providerImageId: img.file_path.replace(/^\//, ''),
    url: tmdbImageUrl(config, size, path),
    previewUrl: tmdbImageUrl(config, kind.previewSize, path),
    width,
    height,
    language: normalizeLanguage(img.iso_639_1),
    voteAverage: img.vote_average,
    voteCount: img.vote_count,
    likes: null,
    extra: {
      region: normalizeRegion(img.iso_3166_1),
      ...(isSvg ? { svg: true } : {}),
      ...(size !== 'original' ? { declaredWidth: img.width, declaredHeight: img.height } : {}),
    },
  };
}
