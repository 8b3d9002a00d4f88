import { ApiError } from '../../../shared/api/errors.ts';
import type { jobMethods, JobKind } from '../../../shared/api/jobs.ts';
import { maskSecret } from '../../../shared/settings.ts';
import type { EnqueueRequest } from '../jobs/index.ts';
import { PRIORITY } from '../jobs/kinds.ts';
import type { Services } from '../services.ts';
import type { HandlersFor } from './dispatch.ts';

/** Where webhooks go when no server in this process has said where it listens. */
const DEFAULT_BASE_URL = 'http://127.0.0.1:8790';

export function jobHandlers(s: Services): HandlersFor<typeof jobMethods> {
  return {
    'jobs-list': async (params) => s.jobs.list(params),

    'jobs-cancel': async ({ id }) => s.jobs.cancel(id),

    'jobs-cancel-queued': async ({ kind }) => ({ cancelled: await s.jobs.cancelQueued(kind) }),

    'jobs-counts': async () => s.jobs.counts(),

    'jobs-retry-failed': async ({ kind }) => ({ queued: await s.jobs.retryFailed(kind) }),

    'provider-outages': async () => s.providers.outages(),

    'jobs-enqueue': async ({ kind, itemIds, libraryId, force, chain }) => {
      const requests = await userRequests(s, kind, { itemIds, libraryId });
      const payload = { reason: 'user', ...(chain ? { chain: true } : {}), ...(force ? { force: true } : {}) };
      const jobIds = await s.jobs.enqueueMany(
        requests.map((r) => ({ ...r, payload: { ...payload, ...r.payload }, priority: PRIORITY.user })),
      );
      return { jobIds };
    },

    'webhook-info': async ({ reveal }) => {
      const secret = await s.jobs.webhookSecret();
      const shown = reveal ? secret : String(maskSecret(secret));
      const base = s.jobs.baseUrl ?? DEFAULT_BASE_URL;
      const url = (source: string) =>
        `${base}/webhooks/${source}?secret=${reveal ? encodeURIComponent(secret) : shown}`;
      return { secret: shown, radarrUrl: url('radarr'), sonarrUrl: url('sonarr'), listening: s.jobs.baseUrl !== null };
    },
  };
}

/** The jobs a user's request stands for, after checking that its targets exist. */
async function userRequests(
  s: Services,
  kind: JobKind,
  target: { itemIds?: number[] | undefined; libraryId?: number | undefined },
): Promise<EnqueueRequest[]> {
  const { itemIds, libraryId } = target;
  if (libraryId !== undefined) {
    const lib = await s.db.selectFrom('libraries').select('id').where('id', '=', libraryId).executeTakeFirst();
    if (!lib) throw new ApiError('not_found', `No library #${libraryId}`, 'libraryId');
  }
  switch (kind) {
    case 'scan-library': {
      if (itemIds?.length) throw new ApiError('bad_request', 'scan-library takes a libraryId, not items', 'itemIds');
      const ids =
        libraryId !== undefined
          ? [libraryId]
          : (await s.db.selectFrom('libraries').select('id').execute()).map((r) => r.id);
      return ids.map((id) => ({ kind, libraryId: id }));
    }
    case 'gc':
      return [{ kind }];
    case 'verify':
    case 'rebuild': {
      const ids = itemIds?.length || libraryId !== undefined ? await existingItems(s, itemIds, libraryId) : [];
      return [{ kind, payload: ids.length ? { itemIds: ids } : {} }];
    }
    case 'scan-folder': {
      const ids = await existingItems(s, itemIds, libraryId);
      const rows = ids.length
        ? await s.db.selectFrom('items').select(['folder', 'library_id']).distinct().where('id', 'in', ids).execute()
        : [];
      return rows.map((r) => ({ kind, libraryId: r.library_id, payload: { folder: r.folder } }));
    }
    default: {
      const ids = await existingItems(s, itemIds, libraryId);
      return ids.map((id) => ({ kind, itemId: id }));
    }
  }
}

/** The given items (all must exist), or every item of the library. */
async function existingItems(
  s: Services,
  itemIds: number[] | undefined,
  libraryId: number | undefined,
): Promise<number[]> {
  if (itemIds?.length) {
    const unique = [...new Set(itemIds)];
    const found = new Set<number>();
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await s.db
        .selectFrom('items')
        .select('id')
        .where('id', 'in', unique.slice(i, i + 500))
        .execute();
      for (const r of rows) found.add(r.id);
    }
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ApiError(
        'not_found',
        `No item${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}`,
        'itemIds',
      );
    }
    return unique;
  }
  if (libraryId !== undefined) {
    return (await s.db.selectFrom('items').select('id').where('library_id', '=', libraryId).execute()).map((r) => r.id);
  }
  throw new ApiError('bad_request', 'Choose items (itemIds) or a library (libraryId)', 'itemIds');
}
