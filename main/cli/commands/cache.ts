import path from 'node:path';
import { isAssetType, ASSET_TYPES } from '../../../shared/asset-types.ts';
import { isImageFileName } from '../../../shared/naming.ts';
import type { CacheGcResult, CacheVerifyResult, RecycleEntry } from '../../../shared/api/cache.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import { MIN_SHA_PREFIX, resolveShaPrefix } from '../../core/cache/sha-prefix.ts';
import { flagBool, flagInt, flagString, parseId, UsageError } from '../args.ts';
import { EXIT, type Command, type CommandContext } from '../command.ts';
import { formatBytes, printResult, table } from '../output.ts';

const DOWNLOAD_STATES = ['pending', 'available', 'failed'] as const;
const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

type VerifyProblem = CacheVerifyResult['problems'][number];

/** `item 3 poster, item 5 fanart #1`: where a user sees a broken image. */
function usedBy(p: VerifyProblem): string {
  const slots = p.usedBy;
  if (slots.length === 0) return '';
  const shown = slots.slice(0, 3).map((u) => `item ${u.itemId} ${u.type}${u.rank ? ` #${u.rank}` : ''}`);
  return ` (used by ${shown.join(', ')}${slots.length > 3 ? ` and ${slots.length - 3} more` : ''})`;
}

function showVerify(v: CacheVerifyResult): string {
  const lines = [`Checked ${v.checked} images: ${v.ok} ok, ${v.problems.length} with problems.`];
  for (const p of v.problems)
    lines.push(`  ${p.sha256.slice(0, 12)}  ${p.problem.padEnd(8)} ${p.outcome.padEnd(13)} ${p.detail}${usedBy(p)}`);
  const damaged = v.thumbnailsDamaged;
  if (v.thumbnailsMissing > 0 || damaged > 0)
    lines.push(
      `Thumbnails missing: ${v.thumbnailsMissing}, damaged: ${damaged}${v.repair ? `, rebuilt ${v.thumbnailsRebuilt}` : ''}`,
    );
  const strays = v.strays;
  if (strays && strays.found > 0) {
    lines.push(
      `Stray files under the cache: ${strays.found}${v.repair ? `, moved to the quarantine ${strays.moved}` : ''}`,
      ...strays.examples.map((e) => `  ${e}`),
    );
  }
  if (!v.repair && unresolved(v) > 0)
    lines.push('Run `posterity cache verify --repair` to quarantine and fetch them again.');
  return lines.join('\n');
}

/** Problems verify leaves behind (exit 1): images not repaired, damaged thumbnails and strays not dealt with. */
function unresolved(v: CacheVerifyResult): number {
  const images = v.problems.filter((p) => p.outcome !== 'repaired').length;
  const strays = v.strays.found - v.strays.moved;
  return images + strays + (v.repair ? 0 : v.thumbnailsDamaged);
}

/**
 * A file `cache import` refused (not an image, too large, a folder) is a failed operation, not a
 * wrong command line: exit 1 with the API's error, as the top level would print it. (The top level
 * maps bad_request to exit 2, right for parameters the user typed, not for the contents of a file.)
 */
function refusedFile(err: unknown, { io, json }: CommandContext): number | null {
  if (!(err instanceof ApiError) || err.code !== 'bad_request' || err.field !== 'file') return null;
  if (json) io.stdout.write(`${JSON.stringify({ error: err.toJSON() })}\n`);
  io.stderr.write(`posterity: ${err.message}\n`);
  return EXIT.failed;
}

function showGc(v: CacheGcResult): string {
  const verb = v.dryRun ? 'Would move' : 'Moved';
  const bytes = v.recycled.reduce((n, r) => n + r.bytes, 0);
  return [
    `${v.referenced} images in use; ${v.waiting} unused within the grace period${v.newlyUnreferenced ? ` (${v.newlyUnreferenced} newly unused)` : ''}.`,
    `${verb} ${v.recycled.length} unused images (${formatBytes(bytes)}) to the recycle bin.`,
    `${v.dryRun ? 'Would purge' : 'Purged'} ${v.purged} expired recycle bin entries (${formatBytes(v.purgedBytes)}).`,
    `${v.dryRun ? 'Would delete' : 'Deleted'} ${v.quarantine.purged.length} expired quarantined files (${formatBytes(v.quarantine.purgedBytes)}); ` +
      `${v.quarantine.kept} kept for inspection (${formatBytes(v.quarantine.keptBytes)}).`,
    ...(v.quarantine.forgotten.length
      ? [
          `${v.dryRun ? 'Would forget' : 'Forgot'} ${v.quarantine.forgotten.length} unrecoverable images nothing uses any more.`,
        ]
      : []),
    ...(v.orphanThumbnails.files
      ? [
          `${v.dryRun ? 'Would delete' : 'Deleted'} ${v.orphanThumbnails.files} thumbnails nothing shows any more (${formatBytes(v.orphanThumbnails.bytes)}).`,
        ]
      : []),
  ].join('\n');
}

function showRecycle(list: RecycleEntry[]): string {
  if (list.length === 0) return 'The recycle bin is empty.';
  return table(
    ['ID', 'KIND', 'DELETED', 'EXPIRES', 'SIZE', 'REASON', 'ORIGINAL PATH'],
    list.map((r) => [
      r.id,
      r.kind,
      when(r.deletedAt),
      r.restoredAt ? 'restored' : r.purgedAt ? 'purged' : when(r.expiresAt),
      formatBytes(r.bytes),
      r.reason,
      r.originalPath,
    ]),
  );
}

/**
 * Finishes downloads left PENDING by an earlier run before a command that uses the cache, with
 * the same progress bar as `cache resume`; messages go to stderr so `--json` output stays one
 * document. A download that fails again is recorded FAILED and does not stop the command.
 */
export async function finishPendingDownloads({ client, io, json, progress }: CommandContext): Promise<void> {
  const [first] = await client.call('cache-downloads', { state: 'pending', limit: 1 });
  if (!first) return;
  if (!json) io.stderr.write('Finishing downloads left pending by an earlier run…\n');
  const bar = progress();
  try {
    const r = await client.call('cache-resume', {}, { onProgress: (p) => bar.update(p) });
    bar.done();
    if (!json) {
      io.stderr.write(
        `Finished ${r.resumed} pending downloads: ${r.available} available, ${r.failed} failed` +
          `${r.failed ? ' (see `posterity cache downloads --state failed`)' : ''}.\n`,
      );
    }
  } catch (err) {
    bar.done();
    // The command itself may still do its work with what is cached; it reports its own errors.
    io.stderr.write(`posterity: pending downloads could not be resumed: ${(err as Error).message}\n`);
  }
}

export const cacheCommands: Command[] = [
  {
    name: 'cache import',
    usage: `ITEM TYPE FILE [--rank N]`,
    summary: `Use a local image as an item's chosen image (locked). TYPE: ${ASSET_TYPES.join(', ')}.`,
    flags: {
      rank: { value: true, description: 'Which image of the type (0 = the main one; fanart 1.. = extra fanart).' },
    },
    async run(ctx, args) {
      const { client, io, json } = ctx;
      const [itemArg, type, file] = args.positionals;
      const itemId = parseId(itemArg, 'ITEM');
      if (!type || !isAssetType(type)) throw new UsageError(`TYPE must be one of ${ASSET_TYPES.join(', ')}`);
      if (!file) throw new UsageError('cache import needs a FILE');
      const rank = flagInt(args, 'rank');
      let result;
      try {
        result = await client.call('cache-import', {
          itemId,
          type,
          file: path.resolve(file),
          ...(rank === undefined ? {} : { rank }),
        });
      } catch (err) {
        const code = refusedFile(err, ctx);
        if (code === null) throw err;
        return code;
      }
      printResult(
        io,
        json,
        result,
        (v) =>
          `Item ${v.slot.itemId} ${v.slot.type}${v.slot.rank ? ` #${v.slot.rank}` : ''} is now ${v.blob.width}×${v.blob.height} ${v.blob.ext.toUpperCase()} ` +
          `(${formatBytes(v.blob.bytes)}, ${v.blob.sha256.slice(0, 12)}), chosen by you and locked.`,
      );
    },
  },
  {
    name: 'cache verify',
    usage: '[--repair]',
    summary: 'Re-hash every cached image; --repair quarantines bad files and fetches them again.',
    usesCache: true,
    flags: {
      repair: { description: 'Quarantine missing or corrupt images and recover them from copies or their source.' },
    },
    async run({ client, io, json, progress }, args) {
      const bar = progress();
      const result = await client.call(
        'cache-verify',
        { repair: flagBool(args, 'repair') },
        { onProgress: (p) => bar.update(p) },
      );
      bar.done();
      printResult(io, json, result, showVerify);
      return unresolved(result) > 0 ? EXIT.failed : EXIT.ok;
    },
  },
  {
    name: 'cache gc',
    usage: '[--dry-run]',
    summary:
      'Move cache images nothing has used for the grace period to the recycle bin; purge expired entries and quarantined files.',
    flags: {
      'dry-run': { description: 'Only report what would be collected or purged (with sizes); change nothing.' },
    },
    async run({ client, io, json }, args) {
      const result = await client.call('cache-gc', { dryRun: flagBool(args, 'dry-run') });
      printResult(io, json, result, showGc);
    },
  },
  {
    name: 'cache downloads',
    usage: '[--state pending|available|failed] [--limit N]',
    summary: 'List requested downloads and why failed ones failed.',
    flags: {
      state: { value: true, description: 'Only downloads in this state.' },
      limit: { value: true, description: 'At most this many (default 100).' },
    },
    async run({ client, io, json }, args) {
      const state = flagString(args, 'state');
      if (state !== undefined && !(DOWNLOAD_STATES as readonly string[]).includes(state)) {
        throw new UsageError(`--state must be one of ${DOWNLOAD_STATES.join(', ')}`);
      }
      const limit = flagInt(args, 'limit');
      const list = await client.call('cache-downloads', {
        ...(state ? { state: state as (typeof DOWNLOAD_STATES)[number] } : {}),
        ...(limit === undefined ? {} : { limit }),
      });
      printResult(io, json, list, (v) =>
        v.length === 0
          ? 'No downloads.'
          : table(
              ['ID', 'STATE', 'TRIES', 'AREA', 'PROVIDER', 'URL', 'ERROR'],
              v.map((d) => [d.id, d.state, d.attempts, d.area, d.provider, d.url, d.error]),
            ),
      );
    },
  },
  {
    name: 'cache resume',
    usage: '',
    summary: 'Resume downloads left pending by a crash or kill.',
    async run({ client, io, json, progress }) {
      const bar = progress();
      const r = await client.call('cache-resume', {}, { onProgress: (p) => bar.update(p) });
      bar.done();
      printResult(
        io,
        json,
        r,
        (v) =>
          `Resumed ${v.resumed} downloads: ${v.available} available, ${v.failed} failed.` +
          (v.tempFilesRemoved ? ` Removed ${v.tempFilesRemoved} leftover temp files.` : ''),
      );
      return r.failed > 0 ? EXIT.failed : EXIT.ok;
    },
  },
  {
    name: 'cache show',
    usage: 'SHA256',
    summary: `Show one cached image and where it came from (SHA256: the whole hash or its first ${MIN_SHA_PREFIX}+ characters).`,
    async run({ client, engine, io, json }, args) {
      const given = args.positionals[0];
      if (!given) throw new UsageError('cache show needs a SHA256');
      // The CLI prints 12-character hashes; the API takes whole ones.
      const sha256 = given.length === 64 ? given : await resolveShaPrefix(engine.services.db, given);
      const b = await client.call('cache-blob', { sha256 });
      printResult(io, json, b, (v) =>
        [
          `${v.sha256}  ${v.state}`,
          `${v.width}×${v.height} ${v.ext.toUpperCase()}, ${formatBytes(v.bytes)}, ${v.area}`,
          `Perceptual hash: ${v.phash ?? 'none'}`,
          `Stored ${when(v.createdAt)}; verified ${when(v.verifiedAt) || 'never'}${v.unreferencedSince ? `; unused since ${when(v.unreferencedSince)}` : ''}`,
          'Sources:',
          ...v.sources.map((src) => `  ${src.provider.padEnd(9)} ${src.source}`),
        ].join('\n'),
      );
    },
  },
  {
    name: 'recycle list',
    usage: '[--all]',
    summary: 'List files in the recycle bin.',
    flags: { all: { description: 'Include restored and purged entries.' } },
    async run({ client, io, json }, args) {
      const all = flagBool(args, 'all');
      const list = await client.call('recycle-list', { includeRestored: all, includePurged: all });
      printResult(io, json, list, showRecycle);
    },
  },
  {
    name: 'recycle restore',
    usage: 'ID',
    summary: 'Put a recycled file back where it was (to make a picture the chosen one again, use reuse).',
    details: [
      "A restored picture is a file in the folder, not the movie's choice: where the movie has another",
      'image chosen for that name, the next publish moves it back to the bin. `recycle reuse ID` makes',
      'it the chosen image instead, and publish then writes it.',
    ],
    async run({ client, io, json }, args) {
      const id = parseId(args.positionals[0], 'ID');
      const r = await client.call('recycle-restore', { id });
      printResult(io, json, r, (v) =>
        v.itemId !== null && isImageFileName(v.originalPath)
          ? `Restored ${v.originalPath}\nIf item ${v.itemId} has another image chosen for this name, the next publish puts that one back; to make this picture its choice instead: posterity recycle reuse ${v.id}`
          : `Restored ${v.originalPath}`,
      );
    },
  },
  {
    name: 'recycle reuse',
    usage: 'ID',
    summary: 'Make a recycled picture of a movie its chosen image again (locked); publish writes it.',
    async run({ client, io, json }, args) {
      const id = parseId(args.positionals[0], 'ID');
      const r = await client.call('recycle-reuse', { id });
      printResult(
        io,
        json,
        r,
        (v) =>
          `Item ${v.itemId}: ${v.type} #${v.rank} is ${v.blob.sha256.slice(0, 12)} again (locked); publish to write it.`,
      );
    },
  },
  {
    name: 'recycle purge',
    usage: '[--all]',
    summary: 'Delete recycled files past their retention for good (--all: every recycled file).',
    flags: { all: { description: 'Purge everything in the recycle bin, not only expired entries.' } },
    async run({ client, io, json }, args) {
      const r = await client.call('recycle-purge', { expiredOnly: !flagBool(args, 'all') });
      printResult(io, json, r, (v) => `Purged ${v.purged} files (${formatBytes(v.bytes)}).`);
    },
  },
];
