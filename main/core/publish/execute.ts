import { lstat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import type { PlannedFileOp, PublishIssue } from '../../../shared/api/publish.ts';
import type { PublishMode } from '../../../shared/settings.ts';
import type { Services } from '../services.ts';
import {
  describeFsError,
  FATAL_FOR_ITEM,
  placeFile,
  placeText,
  placeTwin,
  renameFile,
  syncFolder,
  tempOwnerPid,
  type PlaceResult,
} from './fs-ops.ts';
import type { FsWorkers } from './fs-workers.ts';
import type { LedgerBatch, NewLedgerRow } from './ledger.ts';
import { ledgerMtime, renderNfo, sha256Text, type ItemPlan, type PlanOp, type RecycleReason } from './plan.ts';
import { processAlive } from '../process-alive.ts';

/*
 * Applies one item's plan: each file lands by temp + fsync + rename (fs-ops.ts), whatever it
 * displaces goes to the recycle bin first, and the ledger is updated in one transaction at the
 * end (batched with other items, see ledger.ts). A failing file is reported and skipped; what
 * depends on it (a twin, the recycling of what it replaces) is skipped too, so nothing is lost
 * and nothing is half-done. NFOs come last and name only the art that landed, so Kodi is never
 * pointed at a picture that is not there. A full disk or a read-only folder stops the item at once.
 */

export const RECYCLE_TEXT: Readonly<Record<RecycleReason, string>> = {
  stale: 'published file no longer chosen',
  'old-name': 'the chosen image under a name no longer used (naming style changed, or the video renamed)',
  'replaced-original': 'original artwork replaced by a new choice',
  modified: 'published file changed on disk, replaced by the chosen image',
  'foreign-nfo': 'NFO not written by Posterity, replaced by a new one',
  'unknown-image': 'image file unknown to Posterity (cleanup of unknown images is on)',
};

export interface ExecuteOptions {
  mode: PublishMode;
  dryRun: boolean;
  automated: boolean;
  /** sha → other files on disk holding those bytes (originals), for blobs missing from the cache. */
  altSources: ReadonlyMap<string, readonly string[]>;
  /** Temp files of dead runs in this folder, removed before writing. */
  temps: readonly string[];
  /** Run-wide notes (fallbacks), shared across items. */
  notes: Set<string>;
  workers: FsWorkers;
  /** Where ledger changes go; the caller flushes it. */
  ledger: LedgerBatch;
  signal?: AbortSignal | undefined;
}

export interface ItemOutcome {
  itemId: number;
  written: number;
  linked: number;
  unchanged: number;
  recycled: number;
  /** Published files that took their new name by a rename instead of a copy. */
  renamed: number;
  skipped: number;
  bytes: number;
  errors: PublishIssue[];
  warnings: PublishIssue[];
  /** Anything on disk or in the ledger changed. */
  changed: boolean;
}

class ItemAbort extends Error {}

type PlaceOp = Extract<PlanOp, { op: 'write' | 'link' }>;
type RenameOp = Extract<PlanOp, { op: 'rename' }>;

/** What an op that displaces the file at its target would show in a plan. */
function displaceText(op: PlaceOp | RenameOp): string {
  return op.displace?.recycle ? ` (current file to the recycle bin: ${RECYCLE_TEXT[op.displace.reason]})` : '';
}

/** Files of one item written at once. */
const WRITES_IN_FLIGHT = 4;

/** A plan's operations as the API shows them. */
export function describePlan(plan: ItemPlan): PlannedFileOp[] {
  return plan.ops.map((op): PlannedFileOp => {
    switch (op.op) {
      case 'write':
      case 'link':
        return { itemId: plan.itemId, action: op.op, path: op.path, reason: `${op.why}${displaceText(op)}` };
      case 'rename':
        return {
          itemId: plan.itemId,
          action: 'rename',
          path: op.path,
          reason: `renamed from ${op.fromRel}${displaceText(op)}`,
        };
      case 'keep':
        return { itemId: plan.itemId, action: 'keep', path: op.path, reason: op.why };
      case 'recycle':
        return { itemId: plan.itemId, action: 'recycle', path: op.path, reason: RECYCLE_TEXT[op.reason] };
      case 'forget':
        return { itemId: plan.itemId, action: 'forget', path: op.path, reason: 'file gone and no longer wanted' };
      case 'error':
        return { itemId: plan.itemId, action: 'error', path: op.path, reason: op.reason };
    }
  });
}

/** Temp files whose writer is gone (or that are a day old) are ours to remove. */
async function removeDeadTemps(temps: readonly string[], now: number): Promise<void> {
  for (const tmp of temps) {
    const pid = tempOwnerPid(path.basename(tmp));
    const info = await lstat(tmp).catch(() => null);
    if (!info?.isFile()) continue;
    const old = now - info.mtimeMs > 24 * 60 * 60 * 1000;
    if (old || pid === null || (pid !== process.pid && !processAlive(pid))) await unlink(tmp).catch(() => undefined);
  }
}

export async function executeItemPlan(
  s: Services,
  plan: ItemPlan,
  folder: string,
  options: ExecuteOptions,
): Promise<ItemOutcome> {
  const itemId = plan.itemId;
  const out: ItemOutcome = {
    itemId,
    written: 0,
    linked: 0,
    unchanged: 0,
    recycled: 0,
    renamed: 0,
    skipped: 0,
    bytes: 0,
    errors: [],
    warnings: plan.warnings.map((w) => ({ itemId, ...(w.path ? { path: w.path } : {}), reason: w.reason })),
    changed: false,
  };
  const now = s.clock.now();
  const failed = new Set<string>();
  // Paths holding the desired bytes once their op has run; kept files hold them already.
  const held = new Set(plan.ops.filter((o) => o.op === 'keep' && o.why === 'identical').map((o) => o.path as string));
  const deletes = new Set<number>();
  const upserts = new Map<string, NewLedgerRow>();
  const moves: { id: number; row: NewLedgerRow }[] = [];
  /** Kept NFOs rewritten because art they name could not be written. */
  const rewritten = new Set<string>();
  const fail = (p: string | null, reason: string) => {
    if (p) failed.add(p);
    out.errors.push({ itemId, ...(p ? { path: p } : {}), reason });
  };

  if (!options.dryRun && options.temps.length > 0) await removeDeadTemps(options.temps, now);

  const placedRow = (op: PlaceOp | RenameOp, result: PlaceResult): NewLedgerRow => {
    const blob = op.source.kind === 'blob' ? op.source.blob : null;
    return {
      item_id: itemId,
      path: op.path,
      role: op.role,
      asset_type: op.assetType,
      rank: op.rank,
      origin: 'published',
      sha256: op.sha,
      bytes: result.size,
      width: blob?.width ?? null,
      height: blob?.height ?? null,
      mtime: ledgerMtime(result.mtimeMs),
      published_at: now,
      seen_at: now,
    };
  };

  const recordPlaced = (op: PlaceOp, result: PlaceResult) => {
    upserts.set(op.path, placedRow(op, result));
    if (result.fallback) options.notes.add(result.fallback);
    out.bytes += result.bytesWritten;
    out.changed = true;
  };

  /** Moves a library file (when it is still there) to the recycle bin and drops its ledger row. */
  const recycleFile = async (p: string, rel: string, reason: RecycleReason, ledgerId: number | null) => {
    const there = await lstat(p).catch(() => null);
    if (there?.isFile()) {
      s.ownWrites.note(p);
      await s.cache.recycle.put(p, { itemId, reason: `${RECYCLE_TEXT[reason]}: ${rel}`, kind: 'library-file' });
      out.recycled++;
    }
    if (ledgerId !== null) deletes.add(ledgerId);
  };

  const displaceHook = (op: PlaceOp | RenameOp) => async () => {
    const d = op.displace;
    if (!d) return;
    if (d.recycle) await recycleFile(op.path, op.rel, d.reason, d.ledgerId);
    else if (d.ledgerId !== null) deletes.add(d.ledgerId);
  };

  /**
   * The cache file for a blob, proven whole (a dry run only looks), else another copy of the same
   * bytes on disk (an original); null with why there is none.
   */
  const sourceFor = async (sha: string): Promise<{ file: string | null; problem: string }> => {
    let problem = 'it is not in the cache';
    if (options.dryRun) {
      const cached = await s.cache.pathOf(sha);
      if (cached) return { file: cached, problem };
    } else {
      const cached = await s.cache.intactBlob(sha);
      if (cached.file !== null) return { file: cached.file, problem };
      problem = cached.problem;
    }
    for (const alt of options.altSources.get(sha) ?? []) {
      if ((await lstat(alt).catch(() => null))?.isFile()) return { file: alt, problem };
    }
    return { file: null, problem };
  };

  const handleFsError = (p: string, err: unknown, what: string) => {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (err instanceof ApiError) {
      fail(p, `${what}: ${err.message}`);
    } else {
      fail(p, `${what}: ${describeFsError(err)}`);
    }
    if (FATAL_FOR_ITEM.has(code)) throw new ItemAbort(`${describeFsError(err)} — stopped publishing this movie`);
  };

  const place = async (op: PlaceOp) => {
    const opts = { beforeCommit: displaceHook(op), expectBytes: op.bytes };
    if (!options.dryRun) {
      // Noted before the write: its events may arrive before this function goes on.
      s.ownWrites.note(op.path);
      if (path.dirname(op.path) !== folder) s.ownWrites.note(path.dirname(op.path));
    }
    if (op.op === 'link' && held.has(op.from) && !failed.has(op.from)) {
      if (options.dryRun) return;
      const result = await placeTwin(options.workers, op.from, op.path, folder, opts);
      recordPlaced(op, result);
      if (result.method === 'hardlink') out.linked++;
      else out.written++;
      return;
    }
    if (op.source.kind === 'text') {
      if (options.dryRun) return;
      const result = await placeText(options.workers, op.source.text, op.path, folder, {
        beforeCommit: opts.beforeCommit,
      });
      recordPlaced(op, result);
      out.written++;
      return;
    }
    const source = await sourceFor(op.sha);
    if (!source.file) {
      fail(
        op.path,
        `The chosen ${op.assetType ?? 'actor'} image (${op.sha.slice(0, 12)}) cannot be published: ${source.problem}. ${op.rel} was left as it was; choose the image again to download it.`,
      );
      return;
    }
    if (options.dryRun) return;
    const result = await placeFile(options.workers, source.file, op.path, folder, options.mode, opts);
    recordPlaced(op, result);
    out.written++;
  };

  const runPlace = async (op: PlaceOp) => {
    try {
      await place(op);
      if (!failed.has(op.path)) held.add(op.path);
    } catch (err) {
      handleFsError(op.path, err, `Could not write ${op.rel}`);
    }
  };

  /**
   * Renames one of our files to its new name. Where that is not possible (another filesystem,
   * the file changed since it was looked at) it is published as before: a copy from the cache,
   * then the old name to the recycle bin — or, when the copy fails too, the old name stays.
   */
  const runRename = async (op: RenameOp) => {
    if (options.dryRun) {
      held.add(op.path);
      out.renamed++;
      return;
    }
    s.ownWrites.note(op.from);
    s.ownWrites.note(op.path);
    if (path.dirname(op.path) !== folder) s.ownWrites.note(path.dirname(op.path));
    try {
      const result = await renameFile(
        op.from,
        op.path,
        folder,
        { size: op.fromSize, mtimeMs: op.fromMtimeMs },
        { beforeCommit: displaceHook(op) },
      );
      moves.push({ id: op.fromLedgerId, row: placedRow(op, result) });
      held.add(op.path);
      out.renamed++;
      out.changed = true;
      return;
    } catch (err) {
      s.log.child('publish').info('A published file could not be renamed; copying it instead', {
        from: op.from,
        to: op.path,
        error: describeFsError(err),
      });
    }
    const { from: _from, fromRel, fromLedgerId, fromSize: _size, fromMtimeMs: _mtime, ...facts } = op;
    await runPlace({ ...facts, op: 'write' });
    if (held.has(op.path) && !failed.has(op.path)) {
      try {
        await recycleFile(op.from, fromRel, 'old-name', fromLedgerId);
        out.changed = true;
      } catch (err) {
        handleFsError(op.from, err, `Could not move ${fromRel} to the recycle bin`);
      }
    } else {
      out.warnings.push({ itemId, path: op.from, reason: `${fromRel} kept: its replacement could not be written` });
      out.skipped++;
    }
  };

  /**
   * Writes an NFO once the art is done, naming only the art that is in place: a picture whose
   * write failed is left out (the next publish that writes it names it again). A kept NFO that
   * names such a picture is rewritten too.
   */
  const runNfo = async (op: PlaceOp | Extract<PlanOp, { op: 'keep' }>) => {
    const planned = plan.nfos?.get(op.path);
    const text = planned ? renderNfo(planned.render, inPlace) : null;
    if (text === null || text === planned?.text) {
      if (op.op !== 'keep') await runPlace(op);
      return;
    }
    const { path: p, rel, role, assetType, rank } = op;
    const rendered = {
      path: p,
      rel,
      role,
      assetType,
      rank,
      source: { kind: 'text', text },
      sha: sha256Text(text),
      bytes: Buffer.byteLength(text, 'utf8'),
    } as const;
    if (op.op !== 'keep') {
      await runPlace({ ...op, ...rendered });
      return;
    }
    rewritten.add(op.path);
    // Kept because it was ours (or identical to ours): nothing of the user's to set aside.
    await runPlace({
      ...rendered,
      op: 'write',
      why: 'changed',
      displace: { ledgerId: null, reason: 'stale', recycle: false },
    });
  };
  /** Paths the plan writes or keeps; those that failed since are no longer in place. */
  const landing = new Set(
    plan.ops.flatMap((o) =>
      o.op === 'write' || o.op === 'link' || o.op === 'rename' || o.op === 'keep' ? [o.path] : [],
    ),
  );
  const inPlace = (p: string) => landing.has(p) && !failed.has(p);

  try {
    // Renames first: they are quick, and twins may link to what they put in place. Writes are
    // independent of each other: several at once keep the fs workers busy. Twins follow (they
    // link to what the writes produced), then the NFOs (which name what landed), then
    // everything else in plan order.
    for (const op of plan.ops) {
      if (op.op !== 'rename') continue;
      options.signal?.throwIfAborted();
      await runRename(op);
    }
    const writes = plan.ops.filter((o): o is Extract<PlanOp, { op: 'write' }> => o.op === 'write' && o.role !== 'nfo');
    let next = 0;
    let abort: ItemAbort | null = null;
    await Promise.all(
      Array.from({ length: Math.min(WRITES_IN_FLIGHT, writes.length) }, async () => {
        while (next < writes.length && !abort) {
          options.signal?.throwIfAborted();
          try {
            await runPlace(writes[next++]!);
          } catch (err) {
            if (!(err instanceof ItemAbort)) throw err;
            abort = err;
          }
        }
      }),
    );
    if (abort) throw abort;
    for (const op of plan.ops) {
      if (op.op === 'link') {
        options.signal?.throwIfAborted();
        await runPlace(op);
      }
    }
    for (const op of plan.ops) {
      if (!(op.op === 'write' || (op.op === 'keep' && op.why === 'identical')) || op.role !== 'nfo') continue;
      options.signal?.throwIfAborted();
      await runNfo(op);
    }
    for (const op of plan.ops) {
      options.signal?.throwIfAborted();
      switch (op.op) {
        case 'error':
          fail(op.path, op.reason);
          break;
        case 'write':
        case 'link':
        case 'rename':
          break;
        case 'keep':
          if (rewritten.has(op.path)) break;
          if (op.why === 'identical') {
            out.unchanged++;
            if (op.ledger !== 'none' && !options.dryRun) {
              const info = await lstat(op.path).catch(() => null);
              if (info?.isFile()) {
                upserts.set(op.path, {
                  item_id: itemId,
                  path: op.path,
                  role: op.role,
                  asset_type: op.assetType,
                  rank: op.rank,
                  origin: 'published',
                  sha256: op.sha!,
                  bytes: info.size,
                  width: null,
                  height: null,
                  mtime: ledgerMtime(info.mtimeMs),
                  published_at: now,
                  seen_at: now,
                });
              }
            }
          } else if (op.why !== 'pending') {
            out.skipped++;
            if (op.why === 'locked') {
              out.warnings.push({
                itemId,
                path: op.path,
                reason: `${op.rel} left alone: its slot is locked and this publish was automatic`,
              });
            }
          }
          break;
        case 'recycle': {
          if (op.after.some((p) => failed.has(p) || !held.has(p))) {
            out.warnings.push({
              itemId,
              path: op.path,
              reason: `${op.rel} kept: its replacement could not be written`,
            });
            out.skipped++;
            break;
          }
          if (options.dryRun) break;
          try {
            await recycleFile(op.path, op.rel, op.reason, op.ledgerId);
            out.changed = true;
          } catch (err) {
            if (err instanceof ItemAbort) throw err;
            handleFsError(op.path, err, `Could not move ${op.rel} to the recycle bin`);
          }
          break;
        }
        case 'forget':
          if (!options.dryRun) {
            deletes.add(op.ledgerId);
            out.changed = true;
          }
          break;
      }
    }
  } catch (err) {
    if (!(err instanceof ItemAbort)) {
      await commitLedger();
      throw err;
    }
    out.errors.push({ itemId, path: folder, reason: err.message });
  }
  await commitLedger();
  return out;

  async function commitLedger(): Promise<void> {
    if (options.dryRun) return;
    if (out.changed) await syncFolder(options.workers, folder);
    await options.ledger.add({
      itemId,
      deletes: [...deletes],
      upserts: [...upserts.values()],
      moves,
      touched: out.changed || upserts.size > 0,
    });
  }
}
