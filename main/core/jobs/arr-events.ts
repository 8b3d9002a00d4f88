import path from 'node:path';
import { z } from 'zod';

export const ARR_SOURCES = ['radarr', 'sonarr'] as const;
export type ArrSource = (typeof ARR_SOURCES)[number];

/** What one webhook asks of us, decided from the payload alone. */
export type ArrAction =
  | { type: 'test' }
  | { type: 'health'; restored: boolean; level: string | null; message: string | null }
  | { type: 'ignore'; reason: string }
  | {
      type: 'rescan';
      /** Folders as the *arr sees them (mapped to local paths later). */
      folders: string[];
      /** Publish the art the item had again, from the cache, after the rescan. */
      restore: boolean;
      /** Wait before rescanning (an upgrade's delete comes before its download). */
      delayMs: number;
      /** Only when we already know something in the folder (deletes of unknown movies are noise). */
      knownOnly: boolean;
      title: string | null;
    }
  | { type: 'invalid'; reason: string };

// Radarr and Sonarr add fields between versions; only what we read is checked.
const file = z.looseObject({ path: z.string().optional(), relativePath: z.string().optional() });
const renamed = z.looseObject({ path: z.string().optional(), previousPath: z.string().optional() });
const movie = z.looseObject({
  id: z.number().optional(),
  title: z.string().optional(),
  year: z.number().optional(),
  folderPath: z.string().optional(),
  tmdbId: z.number().optional(),
  imdbId: z.string().nullable().optional(),
});
const series = z.looseObject({ id: z.number().optional(), title: z.string().optional(), path: z.string().optional() });
const base = z.looseObject({
  eventType: z.string().min(1),
  movie: movie.optional(),
  movieFile: file.optional(),
  series: series.optional(),
  episodeFile: file.optional(),
  isUpgrade: z.boolean().optional(),
  deleteReason: z.string().optional(),
  renamedMovieFiles: z.array(renamed).optional(),
  renamedEpisodeFiles: z.array(renamed).optional(),
  level: z.string().optional(),
  message: z.string().optional(),
});
type Payload = z.infer<typeof base>;

/** An upgrade's delete arrives just before the new file; wait this long for its Download. */
export const UPGRADE_DELETE_GRACE_MS = 10 * 60_000;

const IGNORED: Record<string, string> = {
  Grab: 'a grab puts nothing on disk yet',
  MovieAdded: 'no file yet; the Download event will follow',
  SeriesAdd: 'no file yet; the Download event will follow',
  ApplicationUpdate: 'nothing to do for an *arr update',
  ManualInteractionRequired: 'nothing on disk changed',
};

/** Turns a Radarr/Sonarr webhook body (parsed JSON) into an action, by its real event names. */
export function parseArrEvent(source: ArrSource, body: unknown): ArrAction {
  const parsed = base.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { type: 'invalid', reason: `Not a ${source} webhook (${issue?.path.join('.') || 'body'}: ${issue?.message})` };
  }
  const p = parsed.data;
  const event = p.eventType;
  if (event === 'Test') return { type: 'test' };
  if (event === 'Health' || event === 'HealthRestored') {
    return { type: 'health', restored: event === 'HealthRestored', level: p.level ?? null, message: p.message ?? null };
  }
  const ignored = IGNORED[event];
  if (ignored) return { type: 'ignore', reason: `${event}: ${ignored}` };
  return source === 'radarr' ? radarr(event, p) : sonarr(event, p);
}

function radarr(event: string, p: Payload): ArrAction {
  const title = p.movie?.title ? `${p.movie.title}${p.movie.year ? ` (${p.movie.year})` : ''}` : null;
  const fileFolder = (f: { path?: string | undefined } | undefined) => (f?.path ? parentOf(f.path) : undefined);
  const folders = (...candidates: (string | undefined)[]) => unique(candidates);
  switch (event) {
    case 'Download':
      return rescan(folders(p.movie?.folderPath ?? fileFolder(p.movieFile)), { restore: true, title });
    case 'Rename':
      return rescan(
        folders(
          p.movie?.folderPath ?? fileFolder(p.renamedMovieFiles?.[0]),
          ...(p.renamedMovieFiles ?? []).map((f) => (f.previousPath ? parentOf(f.previousPath) : undefined)),
        ),
        { restore: true, title },
      );
    case 'MovieFileDelete': {
      const upgrade = p.deleteReason?.toLowerCase() === 'upgrade';
      return rescan(folders(p.movie?.folderPath ?? fileFolder(p.movieFile)), {
        restore: true,
        delayMs: upgrade ? UPGRADE_DELETE_GRACE_MS : 0,
        title,
      });
    }
    case 'MovieDelete':
      return rescan(folders(p.movie?.folderPath), { restore: false, knownOnly: true, title });
    default:
      return { type: 'ignore', reason: `${event}: not an event Posterity acts on` };
  }
}

function sonarr(event: string, p: Payload): ArrAction {
  const title = p.series?.title ?? null;
  const seriesFolder = unique([p.series?.path]);
  switch (event) {
    case 'Download':
    case 'Rename':
      return rescan(seriesFolder, { restore: true, title });
    case 'EpisodeFileDelete': {
      const upgrade = p.deleteReason?.toLowerCase() === 'upgrade';
      return rescan(seriesFolder, { restore: true, delayMs: upgrade ? UPGRADE_DELETE_GRACE_MS : 0, title });
    }
    case 'SeriesDelete':
      return rescan(seriesFolder, { restore: false, knownOnly: true, title });
    default:
      return { type: 'ignore', reason: `${event}: not an event Posterity acts on` };
  }
}

function rescan(
  folders: string[],
  o: { restore: boolean; delayMs?: number; knownOnly?: boolean; title: string | null },
): ArrAction {
  if (folders.length === 0) return { type: 'ignore', reason: 'unknown movie: the payload names no folder' };
  return { type: 'rescan', folders, restore: o.restore, delayMs: o.delayMs ?? 0, knownOnly: o.knownOnly ?? false, title: o.title };
}

/** Parent folder of an *arr path, whichever separator it uses. */
function parentOf(p: string): string {
  return p.includes('\\') && !p.includes('/') ? path.win32.dirname(p) : path.posix.dirname(p);
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.trim() !== ''))];
}
