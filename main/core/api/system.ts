import { sql } from 'kysely';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { systemMethods } from '../../../shared/api/system.ts';
import { listQuarantine } from '../cache/quarantine.ts';
import { shardUsage } from '../cache/shards.ts';
import { workerLockHolder } from '../jobs/worker-lock.ts';
import type { Services } from '../services.ts';
import { PROVIDER_LABELS, ProviderError } from '../providers/errors.ts';
import type { HandlersFor } from './dispatch.ts';

export function systemHandlers(s: Services): HandlersFor<typeof systemMethods> {
  return {
    status: async () => {
      const [libraries, states, blobs, byArea, jobs, quarantined, downloads, quarantineFiles, thumbnails] =
        await Promise.all([
          s.db
            .selectFrom('libraries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow(),
          s.db
            .selectFrom('items')
            .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy('state')
            .execute(),
          s.db
            .selectFrom('blobs')
            .select([(eb) => eb.fn.countAll<number>().as('n'), sql<number>`coalesce(sum(bytes), 0)`.as('bytes')])
            .where('area', '=', 'assets')
            .where('state', '=', 'available') // recycled blobs are in the recycle bin, not the cache
            .executeTakeFirstOrThrow(),
          cacheUsageByType(s),
          // The same counts as Activity's: failures since made good are not counted.
          s.jobs.counts(),
          s.db
            .selectFrom('blobs')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('state', '=', 'quarantined')
            .executeTakeFirstOrThrow(),
          s.db
            .selectFrom('downloads')
            .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy('state')
            .execute(),
          listQuarantine(s.paths),
          shardUsage(s.paths.thumbs),
        ]);
      const downloadCount = (state: string) => Number(downloads.find((d) => d.state === state)?.n ?? 0);
      const byState = Object.fromEntries(states.map((r) => [r.state, Number(r.n)]));
      return {
        version: s.version,
        dataDir: s.paths.root,
        database: {
          path: s.database.file,
          schemaVersion: s.database.schemaVersion,
          sizeBytes: statSync(s.database.file, { throwIfNoEntry: false })?.size ?? 0,
        },
        libraries: Number(libraries.n),
        items: { total: Object.values(byState).reduce((a, b) => a + b, 0), byState },
        cache: {
          blobs: Number(blobs.n),
          bytes: Number(blobs.bytes),
          byType: byArea,
          thumbnails,
          quarantine: {
            blobs: Number(quarantined.n),
            files: quarantineFiles.length,
            bytes: quarantineFiles.reduce((n, f) => n + f.bytes, 0),
          },
          downloads: { pending: downloadCount('pending'), failed: downloadCount('failed') },
        },
        jobs: {
          queued: jobs.queued,
          running: jobs.running,
          failed: jobs.failed,
          runner: jobsRunner(s),
        },
        providers: {
          tmdb: { configured: s.settings.get('tmdb.apiKey') !== '', baseUrl: s.settings.get('tmdb.baseUrl') },
          fanart: { configured: s.settings.get('fanart.apiKey') !== '', baseUrl: s.settings.get('fanart.baseUrl') },
        },
        demo: s.demo,
      };
    },
    'config-list': async () => s.settings.list(),
    'config-get': async ({ key }) => s.settings.view(key),
    'providers-test': async ({ provider, key }) => {
      // A fresh request: a cached good answer must not hide a key that was just changed.
      const fresh = { freshAfter: s.clock.now() };
      const clients = key === undefined ? s.providers : s.providers.withKey(key);
      try {
        if (provider === 'tmdb') await clients.tmdb.configuration(fresh);
        else await clients.fanart.movie(TEST_MOVIE_TMDB_ID, fresh);
        return { provider, ok: true, message: `${PROVIDER_LABELS[provider]} accepted the key.` };
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        // The logger masks only the keys it was given, and a typed key is not one of them; a
        // service that quotes the request back must not put it on the screen.
        const message = key === undefined ? err.message : err.message.split(key).join('***');
        return { provider, ok: false, message };
      }
    },
    'config-set': async ({ key, value }) => {
      s.settings.view(key); // refuses unknown keys with not_found
      await s.settings.set(key as never, value);
      return s.settings.view(key);
    },
  };
}

/** A movie both services know (The Matrix): a key that fetches it works. */
const TEST_MOVIE_TMDB_ID = 603;

/** Cache disk use per asset type (a blob used by several types counts once, under its first). */
async function cacheUsageByType(s: Services): Promise<Record<string, { files: number; bytes: number }>> {
  const rows = await s.db
    .selectFrom('blobs')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('slots')
          .select(['blob_sha', (e) => e.fn.min('asset_type').as('asset_type')])
          .groupBy('blob_sha')
          .as('t'),
      (join) => join.onRef('t.blob_sha', '=', 'blobs.sha256'),
    )
    .select([
      sql<string>`case when blobs.area = 'previews' then 'previews' else coalesce(t.asset_type, 'unassigned') end`.as(
        'type',
      ),
      (eb) => eb.fn.countAll<number>().as('files'),
      sql<number>`coalesce(sum(blobs.bytes), 0)`.as('bytes'),
    ])
    .where('blobs.state', '=', 'available')
    .groupBy('type')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.type, { files: Number(r.files), bytes: Number(r.bytes) }]));
}

/** Who runs the background jobs of this data folder, from the workers' lock. */
function jobsRunner(s: Services): { pid: number; here: boolean } | null {
  const pid = workerLockHolder(path.join(s.paths.root, 'jobs.lock'));
  return pid === null ? null : { pid, here: pid === process.pid };
}
