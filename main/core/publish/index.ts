import type { Progress } from '../../../shared/api/index.ts';
import type { PublishSummary, VerifyResult } from '../../../shared/api/publish.ts';
import type { PublishMode } from '../../../shared/settings.ts';
import type { Services } from '../services.ts';
import { FsWorkers } from './fs-workers.ts';
import { publishedItemIds, runPublish, runVerify, type PublishRuntime } from './publisher.ts';

export interface PublishItemOptions {
  mode?: PublishMode;
  dryRun?: boolean;
  /**
   * True when nobody asked for this publish right now (after auto-select, a webhook, a schedule).
   * Then a locked slot only gets a missing file restored: nothing that differs is replaced, no
   * stale file or original of that slot is recycled. A person's publish writes exactly the slots.
   */
  automated?: boolean;
  /** Refresh Kodi/Jellyfin/Plex afterwards (default true). */
  notify?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** The publish domain: the library Kodi reads, written from the cache and kept whole. */
export interface PublishDomain {
  /**
   * Brings one item's folder to its chosen state (only what differs; temp + fsync + rename;
   * replaced and stale files to the recycle bin; our files under a name no longer used renamed;
   * every written file in the ledger). Never throws
   * for a per-file problem: those are in `errors`.
   */
  publishItem(itemId: number, options?: PublishItemOptions): Promise<PublishSummary>;
  /** The same for many items, with progress. */
  publishItems(itemIds: readonly number[], options?: PublishItemOptions): Promise<PublishSummary>;
  /** Restores every published file from the cache, hashing the ones that exist; all published items by default. */
  rebuild(options: {
    dryRun: boolean;
    itemIds?: readonly number[];
    /** As for publishItem: an automatic rebuild (after a webhook) only restores missing files of locked slots. */
    automated?: boolean;
    signal?: AbortSignal;
    onProgress?: (p: Progress) => void;
  }): Promise<PublishSummary>;
  /** Finds drift (missing, modified, foreign, stale) and, with repair, fixes it from the cache. */
  verify(options: {
    repair: boolean;
    itemIds?: readonly number[];
    automated?: boolean;
    signal?: AbortSignal;
    onProgress?: (p: Progress) => void;
  }): Promise<VerifyResult>;
  close?(): Promise<void>;
}

export function createPublishDomain(s: Services): PublishDomain {
  const rt: PublishRuntime = { workers: new FsWorkers() };
  const publishItems = (itemIds: readonly number[], options: PublishItemOptions = {}) =>
    runPublish(s, rt, itemIds, options);
  return {
    publishItem: (itemId, options) => publishItems([itemId], options),
    publishItems,
    async rebuild({ dryRun, itemIds, automated, signal, onProgress }) {
      const ids = itemIds && itemIds.length > 0 ? itemIds : await publishedItemIds(s);
      return runPublish(s, rt, ids, { dryRun, automated, scrutiny: 'hash', signal, onProgress });
    },
    async verify({ repair, itemIds, automated, signal, onProgress }) {
      const ids = itemIds && itemIds.length > 0 ? itemIds : await publishedItemIds(s);
      return runVerify(s, rt, ids, {
        repair,
        ...(automated !== undefined ? { automated } : {}),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
    },
    close: () => rt.workers.close(),
  };
}
