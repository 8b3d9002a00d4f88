import type { PublishSummary, VerifyResult } from '../../../shared/api/publish.ts';
import { PUBLISH_MODES, type PublishMode } from '../../../shared/settings.ts';
import { flagBool, flagString, parseId, UsageError } from '../args.ts';
import { EXIT, type Command } from '../command.ts';
import { capped, formatBytes, printResult } from '../output.ts';

/** How many errors and plan lines a human summary lists before "… and N more". */
const SHOW_MAX = 20;

function showSummary(v: PublishSummary, verb: string): string {
  const lines: string[] = [];
  if (v.dryRun && v.plan) {
    const changes = v.plan.filter((p) => p.action !== 'keep');
    lines.push(`Dry run: nothing was changed. ${changes.length} operations planned for ${v.items} items:`);
    lines.push(
      ...capped(
        changes.map((p) => `  ${p.action.padEnd(7)} ${p.path ?? `item ${p.itemId}`}  (${p.reason})`),
        SHOW_MAX,
      ),
    );
  } else {
    // An item with an error is counted among the items but not all of it landed: say how many.
    const failed = new Set(v.errors.flatMap((e) => (e.itemId === null ? [] : [e.itemId]))).size;
    const failedNote = failed > 0 ? `, ${failed} of them with errors (below)` : '';
    lines.push(
      `${verb} ${v.items} items${failedNote} (${v.mode}): ${v.written} written, ${v.linked} linked, ${v.unchanged} unchanged, ` +
        `${v.renamed} renamed, ${v.recycled} to the recycle bin, ${v.skipped} left alone; ${formatBytes(v.bytes)} written.`,
    );
  }
  for (const n of v.notes) lines.push(`Note: ${n}`);
  for (const p of v.players) lines.push(`${p.player}: ${p.ok ? 'refreshed' : 'not refreshed'} — ${p.detail}`);
  if (v.warnings.length > 0) {
    lines.push(`Warnings (${v.warnings.length}):`);
    lines.push(
      ...capped(
        v.warnings.map((w) => `  ${w.itemId === null ? '' : `item ${w.itemId}: `}${w.reason}`),
        SHOW_MAX,
      ),
    );
  }
  if (v.errors.length > 0) {
    lines.push(`Errors (${v.errors.length}):`);
    lines.push(
      ...capped(
        v.errors.map((e) => `  ${e.itemId === null ? '' : `item ${e.itemId}: `}${e.reason}`),
        SHOW_MAX,
      ),
    );
  }
  return lines.join('\n');
}

function showVerify(v: VerifyResult): string {
  const unchecked = v.checked - v.clean - v.items.length;
  const lines = [
    `Checked ${v.checked} items: ${v.clean} as they should be, ${v.items.length} with differences ` +
      `(${v.counts.missing} missing, ${v.counts.modified} modified, ${v.counts.foreign} foreign, ${v.counts.stale} stale)` +
      (unchecked > 0 ? `, ${unchecked} that could not be checked (see the errors below).` : '.'),
  ];
  let shown = 0;
  for (const item of v.items) {
    if (shown >= SHOW_MAX) break;
    lines.push(`  ${item.itemId} ${item.title}`);
    for (const f of item.findings) {
      lines.push(`    ${f.kind.padEnd(8)} ${f.path}  (${f.detail})`);
      shown++;
    }
  }
  const total = v.items.reduce((n, i) => n + i.findings.length, 0);
  if (total > shown) lines.push(`  … and ${total - shown} more (use --json for all)`);
  for (const e of v.errors.slice(0, SHOW_MAX))
    lines.push(`  error: ${e.itemId === null ? '' : `item ${e.itemId}: `}${e.reason}`);
  if (v.repaired) lines.push(showSummary(v.repaired, 'Repaired'));
  else if (v.items.length > 0) lines.push('Run `posterity verify --repair` to fix them from the cache.');
  return lines.join('\n');
}

function itemArgs(positionals: string[]): number[] {
  return positionals.map((p) => parseId(p, 'ITEM'));
}

function modeFlag(value: string | undefined): PublishMode | undefined {
  if (value === undefined) return undefined;
  if (!(PUBLISH_MODES as readonly string[]).includes(value))
    throw new UsageError(`--mode must be one of ${PUBLISH_MODES.join(', ')}`);
  return value as PublishMode;
}

export const publishCommands: Command[] = [
  {
    name: 'publish',
    usesCache: true,
    usage: '[ITEM…|--all] [--mode copy|hardlink|reflink] [--dry-run]',
    summary: 'Write chosen artwork and NFOs into the library under Kodi names (only what differs).',
    flags: {
      all: { description: 'Every movie in every library.' },
      mode: { value: true, description: 'copy (default), hardlink or reflink; falls back to copy where impossible.' },
      'dry-run': { description: 'Show what would be done; change nothing.' },
    },
    async run({ client, io, json, progress }, args) {
      const all = flagBool(args, 'all');
      const itemIds = itemArgs(args.positionals);
      if (all === itemIds.length > 0) throw new UsageError('give ITEM ids or --all');
      const mode = modeFlag(flagString(args, 'mode'));
      const bar = progress();
      const result = await client.call(
        'publish',
        { ...(all ? { all } : { itemIds }), ...(mode ? { mode } : {}), dryRun: flagBool(args, 'dry-run') },
        { onProgress: (p) => bar.update(p) },
      );
      bar.done();
      printResult(io, json, result, (v) => showSummary(v, 'Published'));
      return result.errors.length > 0 ? EXIT.failed : EXIT.ok;
    },
  },
  {
    name: 'rebuild',
    usesCache: true,
    usage: '[--dry-run] [ITEM…]',
    summary: 'Restore published artwork and NFOs from the cache (after a disk swap or an upgrade deleted them).',
    flags: { 'dry-run': { description: 'Show the plan; change nothing.' } },
    async run({ client, io, json, progress }, args) {
      const itemIds = itemArgs(args.positionals);
      const bar = progress();
      const result = await client.call(
        'rebuild',
        { ...(itemIds.length ? { itemIds } : {}), dryRun: flagBool(args, 'dry-run') },
        { onProgress: (p) => bar.update(p) },
      );
      bar.done();
      printResult(io, json, result, (v) => showSummary(v, 'Rebuilt'));
      return result.errors.length > 0 ? EXIT.failed : EXIT.ok;
    },
  },
  {
    name: 'verify',
    usesCache: true,
    usage: '[--repair] [ITEM…]',
    summary: 'Compare the library with what should be there (missing, modified, foreign, stale); --repair fixes it.',
    flags: { repair: { description: 'Fix what differs from the cache (replaced files go to the recycle bin).' } },
    async run({ client, io, json, progress }, args) {
      const itemIds = itemArgs(args.positionals);
      const bar = progress();
      const result = await client.call(
        'verify',
        { ...(itemIds.length ? { itemIds } : {}), repair: flagBool(args, 'repair') },
        { onProgress: (p) => bar.update(p) },
      );
      bar.done();
      printResult(io, json, result, showVerify);
      const unresolved = result.repaired ? result.repaired.errors.length : result.items.length;
      return unresolved > 0 || result.errors.length > 0 ? EXIT.failed : EXIT.ok;
    },
  },
];
