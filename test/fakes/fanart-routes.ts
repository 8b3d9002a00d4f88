import {
  FANART_MOVIE_TYPES,
  FANART_UNKNOWN_TYPE,
  type FakeCatalogue,
  type FakeFanartImage,
  type FakeMovie,
  type FanartTypeKey,
} from './catalogue.ts';
import { FANART_MESSAGES, fanartErrorBody } from './errors.ts';
import { json, type FakeRequest, type FakeResponse, type RouteMatch, type Router } from './http.ts';

export interface FanartContext {
  catalogue: FakeCatalogue;
  apiKey: string;
}

const notFound = (): FakeResponse => json(404, fanartErrorBody(FANART_MESSAGES.notFound));
const TYPE_KEYS: readonly FanartTypeKey[] = [...FANART_MOVIE_TYPES, FANART_UNKNOWN_TYPE];

function itemJson(img: FakeFanartImage, v32: boolean): Record<string, string> {
  const out: Record<string, string> = { id: img.id, url: img.url, lang: img.lang, likes: img.likes };
  if (img.disc !== undefined) out.disc = img.disc;
  if (img.disc_type !== undefined) out.disc_type = img.disc_type;
  out.added = img.added;
  if (v32) {
    out.width = String(img.width);
    out.height = String(img.height);
  }
  return out;
}

/** Types with no images are left out entirely (never `[]`), as the real service does. */
export function fanartMovieBody(m: FakeMovie, version: string): Record<string, unknown> {
  const v32 = version === 'v3.2';
  const body: Record<string, unknown> = { name: m.title, tmdb_id: String(m.tmdbId), imdb_id: m.imdbId };
  if (v32) body.image_count = m.fanartImages.length;
  for (const type of TYPE_KEYS) {
    const items = m.fanartImages.filter((f) => f.type === type);
    if (items.length > 0) body[type] = items.map((f) => itemJson(f, v32));
  }
  return body;
}

function isAuthorised(ctx: FanartContext, req: FakeRequest): boolean {
  if (req.query.get('api_key') === ctx.apiKey) return true;
  const header = req.headers['api-key'];
  return (Array.isArray(header) ? header[0] : header) === ctx.apiKey;
}

function lookup(ctx: FanartContext, id: string): FakeMovie | undefined {
  if (/^\d+$/.test(id)) return ctx.catalogue.byTmdbId(Number(id));
  if (/^tt\d+$/.test(id)) return ctx.catalogue.byImdbId(id);
  return undefined;
}

const MOVIE = /^\/(v3|v3\.1|v3\.2)\/movies\/([^/]+)\/?$/;
const TV = /^\/(v3|v3\.1|v3\.2)\/tv\/([^/]+)\/?$/;

export function fanartRouter(ctx: FanartContext): Router {
  return (req): RouteMatch => {
    const guard = (run: () => FakeResponse) => (): FakeResponse =>
      isAuthorised(ctx, req) ? run() : json(401, fanartErrorBody(FANART_MESSAGES.invalidKey));
    const movie = MOVIE.exec(req.path);
    if (movie) {
      const version = movie[1] ?? 'v3';
      return {
        keys: ['fanart:/movies/:id', `fanart:/${version}/movies/:id`],
        run: guard(() => {
          const m = lookup(ctx, decodeURIComponent(movie[2] ?? ''));
          // A movie the service knows but has no art for answers exactly like an unknown one.
          if (!m || m.fanartImages.length === 0) return notFound();
          return json(200, fanartMovieBody(m, version));
        }),
      };
    }
    if (TV.test(req.path)) return { keys: ['fanart:/tv/:id'], run: guard(notFound) };
    return { keys: ['fanart:unknown'], run: guard(notFound) };
  };
}
