import type { ItemEnrichResult } from '../../../shared/api/enrich.ts';
import type { ItemFields } from '../../../shared/fields.ts';
import type { ProviderId } from '../../../shared/settings.ts';
import { toJson } from '../db/database.ts';
import { getFields, writeFields } from '../db/fields-repo.ts';
import type { ItemRow } from '../db/schema.ts';
import { PROVIDER_LABELS, ProviderError, asProviderError, type ProviderFailure } from '../providers/errors.ts';
import type { ArtProvider, CandidateBatch, FetchOptions, MovieRef } from '../providers/provider.ts';
import type { TmdbMovie } from '../providers/tmdb-schemas.ts';
import type { Services } from '../services.ts';
import { upsertCandidates, type UpsertCounts } from './candidates-repo.ts';
import { resolveMovie, type Resolution } from './identify.ts';
import { countryOf, imdbIdOf, movieFields } from './metadata.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** How long a failed item waits before automation tries it again, by what went wrong. */
export const RETRY_AFTER_MS: Readonly<Record<ProviderFailure, number>> = {
  auth: DAY_MS,
  not_configured: DAY_MS,
  not_found: 7 * DAY_MS,
  rate_limited: HOUR_MS / 2,
  unavailable: HOUR_MS,
  network: HOUR_MS,
  timeout: HOUR_MS,
  bad_response: 6 * HOUR_MS,
  too_large: DAY_MS,
};

/** Provider failures that usually pass within minutes (a restart, a blip in the network). */
const PASSING_FAILURES: ReadonlySet<ProviderFailure> = new Set(['network', 'timeout', 'unavailable', 'rate_limited']);

/** State shared by the items of one run. */
export interface RunContext {
  signal?: AbortSignal;
  /** Set when the run was forced: answers cached before it are not reused. */
  freshAfter?: number;
  /** A provider that refused our key is not asked again in this run; every item gets its message. */
  refused: Map<ProviderId, ProviderError>;
}

export function newRunContext(options: { signal?: AbortSignal; force?: boolean; now: number }): RunContext {
  return { signal: options.signal, freshAfter: options.force ? options.now : undefined, refused: new Map() };
}

interface ArtOutcome {
  provider: ArtProvider;
  batch: CandidateBatch | null;
  error: ProviderError | null;
}

/**
 * Enriches one item: identify (unless known), then TMDB details and every artwork provider at
 * once; metadata merged respecting locks and candidates upserted in one transaction. A provider
 * that fails is reported and yields nothing; its earlier candidates stay. When TMDB itself fails
 * the item keeps what it had, gets the reason and a retry time, and any other provider's
 * candidates are still stored.
 *
 * Unmonitored items are a global lock on downloadable content (the seed's rule): their unlocked
 * metadata is refreshed, but no provider is asked for artwork and their candidates stay as they are.
 */
export async function enrichItem(s: Services, item: ItemRow, ctx: RunContext): Promise<ItemEnrichResult> {
  const log = s.log.child('enrich');
  const base = {
    itemId: item.id,
    title: item.title,
    year: item.year,
    warnings: [] as string[],
    candidates: { added: 0, updated: 0, gone: 0 },
  };
  if (item.kind !== 'movie') {
    return {
      ...base,
      state: 'failed',
      tmdbId: item.tmdb_id,
      reason: `Only movies can be enriched so far (this is a ${item.kind}).`,
    };
  }
  const fields = await getFields(s.db, item.id);
  const subject = {
    title: item.title,
    originalTitle: fields.originalTitle ?? null,
    year: item.year,
    tmdbId: item.tmdb_id,
    imdbId: item.imdb_id,
    matchLocked: item.match_locked === 1,
  };
  const fetchOptions: FetchOptions = { signal: ctx.signal, freshAfter: ctx.freshAfter };
  const tmdb = s.providers.tmdb;

  let distrustKnownId = false;
  for (;;) {
    ctx.signal?.throwIfAborted();
    let resolution: Resolution | null = null;
    let tmdbError: ProviderError | null = ctx.refused.get('tmdb') ?? null;
    if (!tmdbError || subject.tmdbId !== null) {
      try {
        // Known ids resolve without a request, so a refused TMDB key does not stop them.
        resolution = await resolveMovie(tmdb, subject, { ...fetchOptions, distrustKnownId });
      } catch (err) {
        tmdbError = noteRefusal(ctx, asProviderError('tmdb', err));
      }
    }
    if (resolution?.kind === 'needs_match') {
      await s.db
        .updateTable('items')
        .set({
          state: 'needs_match',
          match_choices: toJson(resolution.choices),
          enrich_error: null,
          enrich_after: null,
          updated_at: s.clock.now(),
        })
        .where('id', '=', item.id)
        .execute();
      return { ...base, state: 'needs_match', tmdbId: null, reason: resolution.reason };
    }

    const ref: MovieRef = { tmdbId: resolution?.tmdbId ?? null, imdbId: item.imdb_id };
    const monitored = item.monitored === 1;
    const providers = monitored ? s.providers.artProviders().filter((p) => p.supports(ref)) : [];
    const [details, ...art] = await Promise.all([
      ref.tmdbId !== null && !ctx.refused.has('tmdb')
        ? settle('tmdb', async () => {
            const [movie, config] = await Promise.all([
              tmdb.movie(ref.tmdbId!, fetchOptions),
              tmdb.configuration(fetchOptions),
            ]);
            return { movie, config };
          })
        : Promise.resolve(null),
      ...providers.map((p) => fetchArt(p, ref, fetchOptions, ctx)),
    ]);
    const detailsError = details && 'error' in details ? noteRefusal(ctx, details.error) : null;
    tmdbError = detailsError ?? (details ? null : (tmdbError ?? ctx.refused.get('tmdb') ?? null));

    // An id the item carried (from its NFO, or an earlier match) that TMDB no longer knows: find the movie again.
    if (
      detailsError?.kind === 'not_found' &&
      resolution?.kind === 'matched' &&
      resolution.via === 'known' &&
      !distrustKnownId
    ) {
      log.info('A stored TMDB id is unknown to TMDB; identifying the item again', {
        itemId: item.id,
        tmdbId: ref.tmdbId,
      });
      distrustKnownId = true;
      subject.tmdbId = null;
      continue;
    }

    for (const a of art) {
      if (a.error)
        log.warn(`${a.provider.label} failed; its earlier candidates are kept`, {
          itemId: item.id,
          reason: a.error.message,
        });
    }
    const movie = details && 'value' in details ? details.value : null;
    const metadata = movie
      ? movieFields(movie.movie.value, movie.config, { country: countryOf(s.settings.get('languages')) })
      : null;
    const warnings = [
      ...art.filter((a) => a.error).map((a) => a.error!.message),
      ...art
        .filter((a) => a.batch && a.batch.problems.length > 0)
        .map((a) => partialAnswer(a.provider.id, a.batch!.problems)),
      ...(movie && movie.movie.problems.length > 0 ? [partialAnswer('tmdb', movie.movie.problems)] : []),
    ];
    if (!monitored) log.debug('Unmonitored item: metadata only, no new candidates', { itemId: item.id });
    const result = await write(s, item, {
      resolution,
      ref,
      movie: movie ? { value: movie.movie.value, fields: metadata! } : null,
      tmdbError,
      art,
      warnings,
    });
    const c = result.candidates;
    // The picker shows stored scores; score now so they never lag behind the candidates. Previews
    // (and look-alike hashes) are fetched later, by auto-select or when the user opens the item.
    if (c.added + c.updated + c.gone > 0) await s.select.scoreItem(item.id, { fetchPreviews: false });
    return result;
  }
}

async function write(
  s: Services,
  item: ItemRow,
  r: {
    resolution: Resolution | null;
    ref: MovieRef;
    movie: { value: TmdbMovie; fields: ItemFields } | null;
    tmdbError: ProviderError | null;
    art: ArtOutcome[];
    warnings: string[];
  },
): Promise<ItemEnrichResult> {
  const now = s.clock.now();
  const counts: UpsertCounts = { added: 0, updated: 0, gone: 0 };
  const refreshDays = s.settings.get('schedule.refreshDays');
  const nextRefresh = refreshDays > 0 ? now + refreshDays * DAY_MS : null;
  let title = item.title;
  let year = item.year;
  const failure = r.movie
    ? null
    : (r.tmdbError ?? new ProviderError('tmdb', 'not_found', `TMDB could not identify "${item.title}".`));
  await s.db.transaction().execute(async (trx) => {
    if (r.movie) {
      const fields = r.movie.fields;
      const { written } = await writeFields(trx, item.id, fields, 'tmdb', now);
      if (written.includes('title') && fields.title) title = fields.title;
      if (written.includes('year') && fields.year !== undefined) year = fields.year;
    }
    for (const a of r.art) {
      if (!a.batch) continue;
      const c = await upsertCandidates(trx, item.id, a.provider.id, a.batch.candidates, {
        complete: a.batch.complete,
        now,
      });
      counts.added += c.added;
      counts.updated += c.updated;
      counts.gone += c.gone;
    }
    if (r.movie) {
      await trx
        .updateTable('items')
        .set({
          tmdb_id: r.movie.value.id,
          imdb_id: imdbIdOf(r.movie.value) ?? item.imdb_id,
          state: 'enriched',
          match_choices: null,
          enrich_error: r.warnings.length > 0 ? r.warnings.join(' ') : null,
          enriched_at: now,
          // Missing art from a provider that failed is worth asking for again soon.
          enrich_after: r.warnings.length > 0 ? Math.min(nextRefresh ?? Infinity, now + HOUR_MS) : nextRefresh,
          updated_at: now,
        })
        .where('id', '=', item.id)
        .execute();
    } else {
      const identified = r.resolution?.kind === 'matched' && r.ref.tmdbId !== null;
      await trx
        .updateTable('items')
        .set({
          ...(identified ? { tmdb_id: r.ref.tmdbId } : {}),
          ...(identified && item.state === 'new' ? { state: 'identified' as const } : {}),
          enrich_error: failure!.message,
          enrich_after: now + RETRY_AFTER_MS[failure!.kind],
          updated_at: now,
        })
        .where('id', '=', item.id)
        .execute();
    }
  });
  return {
    itemId: item.id,
    state: r.movie ? 'enriched' : 'failed',
    tmdbId: r.movie?.value.id ?? r.ref.tmdbId ?? item.tmdb_id,
    title,
    year,
    reason: failure ? failure.message : null,
    retrySoon: failure !== null && PASSING_FAILURES.has(failure.kind),
    warnings: r.warnings,
    candidates: counts,
  };
}

type Settled<T> = { value: T } | { error: ProviderError };

async function settle<T>(provider: ProviderId, run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { value: await run() };
  } catch (err) {
    return { error: asProviderError(provider, err) };
  }
}

async function fetchArt(
  provider: ArtProvider,
  ref: MovieRef,
  options: FetchOptions,
  ctx: RunContext,
): Promise<ArtOutcome> {
  const refused = ctx.refused.get(provider.id);
  if (refused) return { provider, batch: null, error: refused };
  const r = await settle(provider.id, () => provider.fetchCandidates(ref, options));
  if ('error' in r) return { provider, batch: null, error: noteRefusal(ctx, r.error) };
  return { provider, batch: r.value, error: null };
}

function noteRefusal(ctx: RunContext, err: ProviderError): ProviderError {
  if (err.kind === 'auth' || err.kind === 'not_configured') ctx.refused.set(err.provider, err);
  return err;
}

function partialAnswer(provider: ProviderId, problems: string[]): string {
  return `${PROVIDER_LABELS[provider]} sent part of its answer in an unexpected form (${problems.slice(0, 2).join('; ')}); that part was skipped.`;
}
