import type {
  CandidateRecord,
  EnrichSummary,
  ItemEnrichResult,
  ItemProblem,
  MatchChoice,
} from '../../../shared/api/enrich.ts';
import type { ItemDetail } from '../../../shared/api/library.ts';
import { ASSET_TYPES, isAssetType } from '../../../shared/asset-types.ts';
import { flagBool, flagInt, flagString, parseId, UsageError } from '../args.ts';
import { EXIT, type Command } from '../command.ts';
import { printResult, table } from '../output.ts';

function summaryText(s: EnrichSummary): string {
  const lines = [
    `Enriched ${s.enriched}, needs a match ${s.needsMatch}, failed ${s.failed.length} ` +
      `(${s.requests} provider requests in ${(s.durationMs / 1000).toFixed(1)} s)`,
  ];
  if (s.failed.length > 0) {
    lines.push('', 'Failed (kept as they were; retried later):');
    lines.push(...problemLines(s.failed, 20));
  }
  if (s.warnings.length > 0) {
    lines.push('', 'Warnings:');
    lines.push(...problemLines(s.warnings, 10));
  }
  if (s.needsMatch > 0)
    lines.push(
      '',
      'Items that need a match: `posterity match ITEM` lists choices, `posterity identify ITEM --tmdb ID` picks one.',
    );
  return lines.join('\n');
}

/**
 * Problems with the same reason on one line (a refused key or an outage says the same for every
 * item): "items 3, 5, 8 and 40 more: …"; at most `max` lines.
 */
function problemLines(problems: readonly ItemProblem[], max: number): string[] {
  const byReason = new Map<string, number[]>();
  for (const p of problems) byReason.set(p.reason, [...(byReason.get(p.reason) ?? []), p.itemId]);
  const lines = [...byReason].slice(0, max).map(([reason, ids]) => {
    const shown = ids.slice(0, 5).join(', ');
    const who =
      ids.length === 1
        ? `item ${shown}`
        : ids.length <= 5
          ? `items ${shown}`
          : `items ${shown} and ${ids.length - 5} more`;
    return `  ${who}: ${reason}`;
  });
  if (byReason.size > max) lines.push(`  … and ${byReason.size - max} other problems (--json lists all)`);
  return lines;
}

function itemText(r: ItemEnrichResult): string {
  const head = `Item ${r.itemId}: ${r.title}${r.year ? ` (${r.year})` : ''}${r.tmdbId ? `, TMDB ${r.tmdbId}` : ''}`;
  const c = r.candidates;
  const lines = [`${head}: ${r.state.replace('_', ' ')}`];
  if (r.reason) lines.push(`  ${r.reason}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  if (r.state === 'enriched') lines.push(`  candidates: ${c.added} new, ${c.updated} updated, ${c.gone} gone`);
  return lines.join('\n');
}

function choicesText(choices: MatchChoice[]): string {
  if (choices.length === 0) return 'TMDB found nothing; try another --query or --year.';
  return table(
    ['TMDB ID', 'TITLE', 'YEAR', 'FIT'],
    choices.map((c) => [
      c.tmdbId,
      c.originalTitle && c.originalTitle !== c.title ? `${c.title} (${c.originalTitle})` : c.title,
      c.year,
      `${Math.round(c.confidence * 100)}%`,
    ]),
  );
}

const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/**
 * Why an item has no artwork candidates: not enriched yet (say what to run), or enriched and the
 * providers simply have none (say when they were asked). `type` narrows it to one artwork type.
 */
export function noCandidatesText(item: Pick<ItemDetail, 'id' | 'state' | 'enrichedAt'>, type?: string): string {
  const what = type ? `${type} artwork` : 'artwork';
  if (item.state === 'needs_match')
    return `No ${what} candidates yet: item ${item.id} needs a match first (\`posterity match ${item.id}\`).`;
  if (item.enrichedAt === null) return `No ${what} candidates yet (run \`posterity enrich ${item.id}\` first).`;
  return `The providers have no ${what} for this movie (asked ${when(item.enrichedAt)} UTC).`;
}

function candidatesText(rows: CandidateRecord[]): string {
  return table(
    ['ID', 'TYPE', 'PROVIDER', 'SIZE', 'LANG', 'VOTES', 'SCORE', 'STATE', 'URL'],
    rows.map((c) => [
      c.id,
      c.type,
      c.provider,
      c.width && c.height ? `${c.width}×${c.height}` : '?',
      c.language ?? '-',
      c.likes !== null ? `${c.likes} likes` : c.voteCount !== null ? `${c.voteAverage ?? 0}/${c.voteCount}` : '',
      c.score !== null ? c.score.toFixed(0) : '',
      [c.blocked ? 'blocked' : '', c.gone ? 'gone' : '', c.blobSha ? 'cached' : ''].filter(Boolean).join(',') || '-',
      c.url,
    ]),
  );
}

export const enrichCommands: Command[] = [
  {
    name: 'enrich',
    usage: '[ITEM…|--all] [--force]',
    summary: 'Identify movies on TMDB, merge metadata (locked fields kept) and collect artwork candidates.',
    flags: {
      all: { description: 'Every movie in every library' },
      force: { description: 'Ask the providers again even when cached answers are fresh' },
    },
    async run({ client, io, json, progress }, args) {
      const all = flagBool(args, 'all');
      const itemIds = args.positionals.map((p) => parseId(p, 'ITEM'));
      if (!all && itemIds.length === 0) throw new UsageError('enrich needs ITEM ids or --all');
      if (all && itemIds.length > 0) throw new UsageError('give ITEM ids or --all, not both');
      const bar = progress();
      let summary: EnrichSummary;
      try {
        summary = await client.call(
          'enrich',
          all ? { all: true, force: flagBool(args, 'force') } : { itemIds, force: flagBool(args, 'force') },
          {
            onProgress: (p) => bar.update(p),
          },
        );
      } finally {
        bar.done();
      }
      printResult(io, json, summary, summaryText);
      return summary.failed.length > 0 ? EXIT.failed : EXIT.ok;
    },
  },
  {
    name: 'identify',
    usage: 'ITEM --tmdb ID',
    summary: 'Match an item to a TMDB movie by hand (the match is locked) and enrich it.',
    flags: { tmdb: { value: true, description: 'The TMDB movie id' } },
    async run({ client, io, json }, args) {
      const itemId = parseId(args.positionals[0], 'ITEM');
      const tmdbId = parseId(flagString(args, 'tmdb'), '--tmdb');
      const result = await client.call('identify', { itemId, tmdbId });
      printResult(io, json, result, itemText);
      return result.state === 'failed' ? EXIT.failed : EXIT.ok;
    },
  },
  {
    name: 'match',
    usage: 'ITEM [--query TEXT] [--year YEAR]',
    summary: 'Search TMDB for the movie of an item (for items that need a match).',
    flags: {
      query: { value: true, description: "Title to search for (default: the item's title)" },
      year: { value: true, description: "Release year (default: the item's year)" },
    },
    async run({ client, io, json }, args) {
      const itemId = parseId(args.positionals[0], 'ITEM');
      const query = flagString(args, 'query');
      const year = flagInt(args, 'year');
      const choices = await client.call('match-search', {
        itemId,
        ...(query ? { query } : {}),
        ...(year !== undefined ? { year } : {}),
      });
      printResult(io, json, choices, choicesText);
    },
  },
  {
    name: 'candidates',
    usage: 'ITEM [--type TYPE]',
    summary: "List an item's artwork candidates, best score first.",
    flags: { type: { value: true, description: `Only this type (${ASSET_TYPES.join(', ')})` } },
    async run({ client, io, json }, args) {
      const itemId = parseId(args.positionals[0], 'ITEM');
      const type = flagString(args, 'type');
      if (type !== undefined && !isAssetType(type))
        throw new UsageError(`--type must be one of ${ASSET_TYPES.join(', ')}`);
      const rows = await client.call('candidates-list', { itemId, ...(type ? { type } : {}) });
      if (rows.length === 0 && !json) {
        const item = await client.call('item-get', { id: itemId });
        printResult(io, false, item, (i) => noCandidatesText(i, type));
        return;
      }
      printResult(io, json, rows, candidatesText);
    },
  },
];
