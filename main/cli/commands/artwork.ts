import type {
  ArtworkTypeView,
  AutoselectResult,
  CandidateView,
  ClusterView,
  SlotView,
} from '../../../shared/api/artwork.ts';
import { ASSET_TYPES, isAssetType, type AssetType } from '../../../shared/asset-types.ts';
import { FIELD_DEFS, isFieldName } from '../../../shared/fields.ts';
import { flagBool, flagInt, flagString, parseId, UsageError, type ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { capped, printResult, table } from '../output.ts';
import { noCandidatesText } from './enrich.ts';

function typeArg(value: string | undefined): AssetType {
  if (!value) throw new UsageError('an artwork TYPE is needed');
  if (!isAssetType(value)) throw new UsageError(`unknown artwork type "${value}"; one of ${ASSET_TYPES.join(', ')}`);
  return value;
}

function rankFlag(args: ParsedArgs): number | undefined {
  const rank = flagInt(args, 'rank');
  if (rank !== undefined && rank < 0) throw new UsageError('--rank must be 0 or more');
  return rank;
}

const rankSpec = {
  rank: { value: true, description: 'Which image of the type: 0 = the main one, 1.. = extra fanart' },
};

const size = (w: number | null, h: number | null) => (w && h ? `${w}×${h}` : '?');

function slotLine(slot: SlotView): string {
  const what =
    slot.chosenBy === 'original'
      ? `original ${slot.path ?? ''}`
      : slot.candidateId !== null
        ? `candidate ${slot.candidateId} (${slot.provider ?? '?'})`
        : 'nothing';
  const flags = [slot.chosenBy, slot.locked ? 'locked' : null, slot.downloaded ? null : 'not downloaded yet'].filter(
    Boolean,
  );
  return `  rank ${slot.rank}: ${what} ${size(slot.width, slot.height)} [${flags.join(', ')}]`;
}

const short: Record<string, string> = { language: 'L', resolution: 'R', aspect: 'A', community: 'C', provider: 'P' };
const breakdown = (c: CandidateView) => c.breakdown.map((l) => `${short[l.factor]}${l.points}`).join(' ');

function clusterRow(cluster: ClusterView): (string | number)[] {
  const c = cluster.best;
  const also = cluster.alsoOn.map((m) => `${m.provider} ${size(m.width, m.height)}`).join(', ');
  const flags = [
    cluster.selectedRanks.length ? `chosen r${cluster.selectedRanks.join(',')}` : null,
    cluster.matchesOriginal ? 'you have it' : null,
    c.blocked ? 'blocked' : null,
    c.belowMinimum ? 'too small' : null,
    c.gone ? 'gone' : null,
    c.hashError ? 'no hash' : null,
  ].filter(Boolean);
  return [
    c.id,
    c.score.toFixed(1),
    breakdown(c),
    c.provider,
    size(c.width, c.height),
    c.language ?? '-',
    also,
    flags.join(', '),
  ];
}

function typeBlock(t: ArtworkTypeView): string {
  const head = `${t.label} (${t.type}): keep ${t.count}, look-alike at ≤ ${t.lookAlikeThreshold} bits`;
  const slots = t.slots.length ? t.slots.map(slotLine) : ['  nothing chosen'];
  const clusters = t.clusters.length
    ? table(['ID', 'SCORE', 'BREAKDOWN', 'FROM', 'SIZE', 'LANG', 'ALSO ON', 'NOTES'], t.clusters.map(clusterRow))
        .split('\n')
        .map((l) => `  ${l}`)
    : ['  no candidates'];
  return [head, ...slots, ...clusters].join('\n');
}

/** Choices listed one by one after an autoselect. */
const CHANGES_SHOWN = 50;

function autoselectSummary(r: AutoselectResult): string {
  const lines = [
    `${r.items} item${r.items === 1 ? '' : 's'} looked at, ${r.changes.length} choice${r.changes.length === 1 ? '' : 's'} changed, ${r.downloaded} image${r.downloaded === 1 ? '' : 's'} downloaded`,
  ];
  if (r.unmonitored.length) lines.push(`Skipped ${r.unmonitored.length} unmonitored: ${r.unmonitored.join(', ')}`);
  if (r.previews.fetched || r.previews.failed)
    lines.push(`Previews: ${r.previews.fetched} fetched, ${r.previews.failed} without a hash`);
  // Every change of a whole library would be thousands of lines: the first ones, the rest in --json.
  lines.push(
    ...capped(
      r.changes.map((c) => `  item ${c.itemId} ${c.type}/${c.rank}: ${c.from ?? '-'} → ${c.to ?? 'emptied'}`),
      CHANGES_SHOWN,
    ),
  );
  lines.push(
    ...capped(
      r.failed.map((f) => `  item ${f.itemId} ${f.type}/${f.rank}: download of ${f.candidateId} failed: ${f.error}`),
      CHANGES_SHOWN,
    ),
  );
  return lines.join('\n');
}

/** A field value from the command line, read as the field's kind wants it. */
function fieldValue(field: string, text: string): unknown {
  if (!isFieldName(field)) return text; // the engine refuses it with the list of names
  switch (FIELD_DEFS[field].kind) {
    case 'text':
    case 'longtext':
      return text;
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${field} must be a number`);
      return n;
    }
    case 'list':
      if (text.trim().startsWith('[')) return parseJson(field, text);
      return text
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    default:
      return parseJson(field, text);
  }
}

function parseJson(field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${field} takes JSON here`);
  }
}

export const artworkCommands: Command[] = [
  {
    name: 'artwork',
    usage: 'ITEM [--type TYPE]',
    summary: "Show an item's chosen artwork and its candidates, look-alikes grouped, best first.",
    flags: { type: { value: true, description: 'Only this artwork type' } },
    async run({ client, io, json }, args) {
      const itemId = parseId(args.positionals[0], 'ITEM');
      const type = flagString(args, 'type');
      const view = await client.call('item-artwork', { itemId, ...(type ? { type: typeArg(type) } : {}) });
      const shown = view.types.filter((t) => type || t.slots.length || t.clusters.length || t.originals.length);
      // Nothing at all to show: say whether enrich has yet to run or the providers have nothing.
      const empty =
        !json && view.types.every((t) => !t.slots.length && !t.clusters.length && !t.originals.length)
          ? noCandidatesText(await client.call('item-get', { id: itemId }), type)
          : null;
      printResult(io, json, view, (v) =>
        [
          `${v.title} (item ${v.itemId})${v.monitored ? '' : ' — unmonitored: automation leaves it alone'}`,
          ...(v.previewsPending
            ? [
                `${v.previewsPending} previews not fetched yet: look-alikes are not grouped until \`posterity rescore ${v.itemId}\``,
              ]
            : []),
          ...(empty ? [empty] : []),
          ...shown.map(typeBlock),
        ].join('\n\n'),
      );
    },
  },
  {
    name: 'select',
    usesCache: true,
    usage: 'ITEM TYPE CANDIDATE [--rank N]',
    summary: 'Choose a candidate for a slot (locks it) and download the image.',
    flags: rankSpec,
    async run({ client, io, json }, args) {
      const [item, type, candidate] = args.positionals;
      const rank = rankFlag(args);
      const r = await client.call('artwork-select', {
        itemId: parseId(item, 'ITEM'),
        type: typeArg(type),
        candidateId: parseId(candidate, 'CANDIDATE'),
        ...(rank !== undefined ? { rank } : {}),
      });
      printResult(io, json, r, (v) =>
        [
          `Chosen and locked:`,
          slotLine(v.slot),
          ...(v.downloadError ? [`Download failed (kept, retried later): ${v.downloadError}`] : []),
        ].join('\n'),
      );
      return r.downloadError ? 1 : 0;
    },
  },
  ...(['lock', 'unlock'] as const).map((op): Command => ({
    name: op,
    usage: 'ITEM TYPE [--rank N]',
    summary:
      op === 'lock'
        ? 'Lock the chosen artwork of a type (every rank unless --rank) against automation.'
        : 'Unlock artwork so auto-select may replace it.',
    flags: rankSpec,
    async run({ client, io, json }, args) {
      const [item, type] = args.positionals;
      const rank = rankFlag(args);
      const r = await client.call(op === 'lock' ? 'artwork-lock' : 'artwork-unlock', {
        itemId: parseId(item, 'ITEM'),
        type: typeArg(type),
        ...(rank !== undefined ? { rank } : {}),
      });
      printResult(io, json, r, (v) =>
        [`${v.changed} slot${v.changed === 1 ? '' : 's'} ${op}ed`, ...v.slots.map(slotLine)].join('\n'),
      );
    },
  })),
  ...(['block', 'unblock'] as const).map((op): Command => ({
    name: op,
    usage: 'CANDIDATE',
    summary: op === 'block' ? 'Never auto-select this candidate.' : 'Let auto-select choose this candidate again.',
    async run({ client, io, json }, args) {
      const candidateId = parseId(args.positionals[0], 'CANDIDATE');
      const r = await client.call(op === 'block' ? 'candidate-block' : 'candidate-unblock', { candidateId });
      printResult(io, json, r, (v) =>
        [
          `Candidate ${v.candidateId} of item ${v.itemId} ${v.blocked ? 'blocked' : 'unblocked'}`,
          ...v.clearedSlots.map((x) => `  emptied the automatic ${x.type}/${x.rank}; the next auto-select fills it`),
        ].join('\n'),
      );
    },
  })),
  {
    name: 'field set',
    usage: 'ITEM FIELD VALUE',
    summary: 'Edit a metadata field (locks it). Lists take "a, b" or JSON.',
    async run({ client, io, json }, args) {
      const [item, field, value] = args.positionals;
      if (!field || value === undefined) throw new UsageError('field set needs ITEM FIELD VALUE');
      const r = await client.call('field-set', {
        itemId: parseId(item, 'ITEM'),
        field,
        value: fieldValue(field, value),
      });
      printResult(io, json, r, (v) => `${v.field} = ${JSON.stringify(v.value)} (locked)`);
    },
  },
  ...(['lock-field', 'unlock-field'] as const).map((op): Command => ({
    name: op,
    usage: 'ITEM FIELD',
    summary:
      op === 'lock-field'
        ? 'Lock a metadata field against enrichment.'
        : 'Let enrichment update a metadata field again.',
    async run({ client, io, json }, args) {
      const [item, field] = args.positionals;
      if (!field) throw new UsageError(`${op} needs ITEM FIELD`);
      const r = await client.call(op === 'lock-field' ? 'field-lock' : 'field-unlock', {
        itemId: parseId(item, 'ITEM'),
        field,
      });
      printResult(io, json, r, (v) => `${v.field} ${v.locked ? 'locked' : 'unlocked'}`);
    },
  })),
  {
    name: 'autoselect',
    usesCache: true,
    usage: '[ITEM…] [--all]',
    summary: 'Choose artwork for monitored items (never over locks, blocks or look-alikes).',
    flags: { all: { description: 'Every item' } },
    async run(ctx, args) {
      const all = flagBool(args, 'all');
      const itemIds = args.positionals.map((p) => parseId(p, 'ITEM'));
      if (!all && itemIds.length === 0) throw new UsageError('give ITEM ids or --all');
      if (all && itemIds.length > 0) throw new UsageError('give ITEM ids or --all, not both');
      const bar = ctx.progress();
      let r: AutoselectResult;
      try {
        r = await ctx.client.call('artwork-autoselect', all ? { all: true } : { itemIds }, {
          onProgress: (p) => bar.update(p),
        });
      } finally {
        bar.done();
      }
      printResult(ctx.io, ctx.json, r, autoselectSummary);
      return r.failed.length > 0 ? 1 : 0;
    },
  },
  {
    name: 'rescore',
    usesCache: true,
    usage: 'ITEM [--retry-failed]',
    summary: "Fetch missing previews and score an item's candidates again.",
    flags: { 'retry-failed': { description: 'Also retry previews that failed before' } },
    async run({ client, io, json }, args) {
      const itemId = parseId(args.positionals[0], 'ITEM');
      const r = await client.call('artwork-rescore', {
        itemId,
        ...(flagBool(args, 'retry-failed') ? { retryFailed: true } : {}),
      });
      printResult(
        io,
        json,
        r,
        (v) =>
          `${v.candidates} candidates in ${v.clusters} groups; previews ${v.previews.fetched} fetched, ${v.previews.failed} failed`,
      );
    },
  },
];
