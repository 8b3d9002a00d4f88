import { z } from 'zod';
import { PUBLISH_MODES, type PublishMode } from '../settings.ts';
import { method, type MethodSpec } from './define.ts';

/** Something that went wrong (or is worth knowing) for one item, and where. */
export interface PublishIssue {
  itemId: number | null;
  /** The library file concerned, when there is one. */
  path?: string;
  reason: string;
}

/** One planned file operation, as a dry run shows it. */
export interface PlannedFileOp {
  itemId: number;
  /**
   * write: put the chosen image/NFO there; link: a twin hardlinked to its primary; keep: already
   * right (or deliberately left alone); rename: a file Posterity published, holding the chosen
   * image under a name no longer used, takes its new name (nothing copied, nothing recycled);
   * recycle: move to the recycle bin; forget: drop the ledger row of a file that is gone; error:
   * cannot be done, left alone.
   */
  action: 'write' | 'link' | 'rename' | 'keep' | 'recycle' | 'forget' | 'error';
  path: string | null;
  reason: string;
}

/** How a media player took the refresh request. */
export interface PlayerNotification {
  player: 'kodi' | 'jellyfin' | 'plex';
  ok: boolean;
  /** Items the request covered. */
  items: number;
  detail: string;
}

/** What a publish or rebuild did (or, with dryRun, would do). */
export interface PublishSummary {
  dryRun: boolean;
  mode: PublishMode;
  items: number;
  /** Files written (copied, reflinked or hardlinked from the cache; NFOs). */
  written: number;
  /** Folder-form twins hardlinked to their basename-form file. */
  linked: number;
  unchanged: number;
  /** Files Posterity published that took a new name (naming style changed, video renamed): nothing copied or recycled. */
  renamed: number;
  /** Files moved to the recycle bin (replaced originals, stale files, foreign NFOs…). */
  recycled: number;
  /** Files deliberately left alone (locked slot under automation, a foreign NFO kept…). */
  skipped: number;
  /** Bytes physically written. */
  bytes: number;
  errors: PublishIssue[];
  warnings: PublishIssue[];
  /** Run-wide remarks, e.g. "hardlink not possible (different filesystems); copied instead". */
  notes: string[];
  players: PlayerNotification[];
  /** Every planned operation: only for dry runs. */
  plan: PlannedFileOp[] | null;
}

export const FINDING_KINDS = ['missing', 'modified', 'foreign', 'stale'] as const;
/**
 * - missing: a file that should be there is not (deleted by Radarr, a disk swap…);
 * - modified: a file Posterity wrote was changed on disk;
 * - foreign: a file Posterity did not write sits where a published file belongs;
 * - stale: a published file no longer matches the choice (or is no longer wanted), or an original
 *   awaits replacement by a new choice.
 */
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface VerifyFinding {
  kind: FindingKind;
  path: string;
  detail: string;
}

export interface VerifyItemReport {
  itemId: number;
  title: string;
  findings: VerifyFinding[];
}

export interface VerifyResult {
  checked: number;
  /** Items with no finding and no error (an unreadable folder or a vanished video is not clean). */
  clean: number;
  /** Items with findings only. */
  items: VerifyItemReport[];
  counts: Record<FindingKind, number>;
  errors: PublishIssue[];
  /** What `repair` did; null without repair. */
  repaired: PublishSummary | null;
}

const itemIds = z.array(z.number().int().positive()).max(100_000);

export const publishMethods = {
  publish: method<PublishSummary>()({
    summary:
      'Write the chosen artwork and NFO of items into their library folders under Kodi names (only what differs), then notify players.',
    params: z
      .object({
        itemIds: itemIds.optional(),
        all: z.boolean().optional(),
        mode: z.enum(PUBLISH_MODES).optional(),
        dryRun: z.boolean().optional(),
      })
      .strict()
      .refine((p) => (p.itemIds !== undefined && p.itemIds.length > 0) !== (p.all === true), {
        message: 'give either itemIds or all: true',
        path: ['itemIds'],
      }),
  }),
  rebuild: method<PublishSummary>()({
    summary:
      'Restore every published file from the cache (after a disk swap or an upgrade deleted them), checking each existing file by hash. Without itemIds: every item published before.',
    params: z.object({ itemIds: itemIds.optional(), dryRun: z.boolean().optional() }).strict(),
  }),
  verify: method<VerifyResult>()({
    summary:
      'Compare library folders with what should be there (missing, modified, foreign, stale files); with repair, fix them from the cache. Without itemIds: every item published before.',
    params: z.object({ itemIds: itemIds.optional(), repair: z.boolean().optional() }).strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
