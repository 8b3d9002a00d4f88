import { realpathSync } from 'node:fs';
import { ApiError } from '../../../shared/api/errors.ts';
import type { Services } from '../services.ts';
import { parseArrEvent, type ArrSource } from './arr-events.ts';
import { PRIORITY } from './kinds.ts';
import { libraryFor, mapArrPath } from './path-mapping.ts';
import type { EnqueueRequest } from './index.ts';
import { itemIdsInFolder } from './steps.ts';

/** What a webhook led to; the HTTP route turns it into a status code and a small JSON body. */
export interface ArrOutcome {
  status: 'ok' | 'logged' | 'queued' | 'ignored';
  event: string;
  reason?: string;
  jobIds?: number[];
}

/**
 * Handles one Radarr/Sonarr webhook: decides from the event what to rescan, translates the paths
 * (`paths.mappings`), keeps to folders inside a library, and queues coalesced `scan-folder` jobs
 * (a storm of webhooks for one movie becomes one scan). Throws `bad_request` for a body that is
 * not a webhook of that source.
 */
export async function handleArrWebhook(
  s: Services,
  enqueue: (request: EnqueueRequest) => Promise<number>,
  source: ArrSource,
  body: unknown,
): Promise<ArrOutcome> {
  const log = s.log.child(`webhook:${source}`);
  const action = parseArrEvent(source, body);
  const event = typeof (body as { eventType?: unknown })?.eventType === 'string' ? (body as { eventType: string }).eventType : '?';
  switch (action.type) {
    case 'invalid':
      log.warn(`Refused a webhook: ${action.reason}`);
      throw new ApiError('bad_request', action.reason);
    case 'test':
      log.info(`Test webhook received from ${source}`);
      return { status: 'ok', event };
    case 'health':
      log[action.restored ? 'info' : 'warn'](
        `${source} health ${action.restored ? 'restored' : 'issue'}${action.level ? ` (${action.level})` : ''}: ${action.message ?? ''}`,
      );
      return { status: 'logged', event };
    case 'ignore':
      log.info(`Ignored ${event}: ${action.reason}`);
      return { status: 'ignored', event, reason: action.reason };
    case 'rescan':
      break;
  }

  const mappings = s.settings.get('paths.mappings');
  const libraries = await s.db.selectFrom('libraries').select(['id', 'path']).execute();
  const jobIds: number[] = [];
  const skipped: string[] = [];
  for (const arrFolder of action.folders) {
    const folder = realOrSame(mapArrPath(arrFolder, mappings));
    const library = libraryFor(libraries, folder);
    if (!library) {
      skipped.push(`${folder} is outside every library`);
      continue;
    }
    if (action.knownOnly && (await itemIdsInFolder(s, folder, 1)).length === 0) {
      skipped.push(`unknown movie: nothing known in ${folder}`);
      continue;
    }
    jobIds.push(
      await enqueue({
        kind: 'scan-folder',
        libraryId: library.id,
        payload: { folder, ...(action.restore ? { restore: true } : {}), reason: `${source} ${event}` },
        priority: PRIORITY.webhook,
        runAfter: s.clock.now() + action.delayMs,
      }),
    );
  }
  const what = `${event}${action.title ? ` for ${action.title}` : ''}`;
  if (jobIds.length === 0) {
    const reason = skipped.join('; ');
    log.info(`Ignored ${what}: ${reason}`);
    return { status: 'ignored', event, reason };
  }
  log.info(`${what}: rescan queued`, { jobIds, ...(skipped.length ? { skipped } : {}) });
  return { status: 'queued', event, jobIds };
}

/** Libraries are stored by their real path; a folder reached through a symlink is the same place. */
function realOrSame(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder; // gone (a delete): its items are found by the path they had
  }
}
