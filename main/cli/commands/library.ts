import os from 'node:os';
import path from 'node:path';
import { ASSET_TYPES } from '../../../shared/asset-types.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import type { ApiClient } from '../../../shared/api/index.ts';
import {
  ITEM_STATES,
  type ItemDetail,
  type ItemState,
  type LibraryView,
  type ScanResult,
  type ScanSummary,
} from '../../../shared/api/library.ts';
import { flagBool, flagInt, flagString, parseId, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../command.ts';
import { capped, formatBytes, printResult, table } from '../output.ts';

/** Throws not_found, as every command given an unknown library id does. */
async function requireLibrary(client: ApiClient, id: number): Promise<void> {
  const libs = await client.call('library-list', {});
  if (!libs.some((l) => l.id === id)) throw new ApiError('not_found', `No library with id ${id}`, 'libraryId');
}

function when(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

/** Names in a terminal: control characters (a newline in a folder name) shown escaped. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function scanReport(r: ScanResult): string {
  const lines = [
    `Scanned ${r.folders} folders (${r.unchangedFolders} unchanged) in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  added ${r.added}, updated ${r.updated}, unchanged ${r.unchanged}, moved ${r.moved}, missing ${r.missing}`,
  ];
  if (r.originalsKept > 0)
    lines.push(
      `  kept a copy of ${r.originalsKept} of your own picture${r.originalsKept === 1 ? '' : 's'} in the cache`,
    );
  if (r.errors.length > 0) {
    lines.push(`${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}:`);
    lines.push(
      ...capped(
        r.errors.map((e) => `  ${e.itemId ? `#${e.itemId} ` : ''}${clean(e.path)}: ${clean(e.reason)}`),
        50,
      ),
    );
  }
  return lines.join('\n');
}

/**
 * Scanned libraries whose root could not be read: marked offline (missing, or empty while it held
 * movies), or refused when listed (the walk reports the root itself, not a movie in it).
 */
async function unreadLibraries(client: ApiClient, summary: ScanSummary): Promise<LibraryView[]> {
  const rootErrors = new Set(summary.errors.filter((e) => e.itemId === null).map((e) => e.path));
  const libs = await client.call('library-list', {});
  return libs.filter(
    (l) =>
      summary.libraryIds.includes(l.id) && l.kind === 'movies' && (l.state === 'missing' || rootErrors.has(l.path)),
  );
}

function artFlags(art: Record<string, boolean>): string {
  const letters: Record<string, string> = {
    poster: 'P',
    fanart: 'F',
    clearlogo: 'L',
    clearart: 'C',
    discart: 'D',
    banner: 'B',
    landscape: 'T',
    keyart: 'K',
    characterart: 'H',
  };
  return ASSET_TYPES.map((t) => (art[t] ? letters[t] : '·')).join('');
}

/**
 * Which fields hold a value, then which are locked against providers: two lines, so a field
 * listed as present is never read as locked. A locked field may be empty (locked to blank).
 */
function fieldLines(i: ItemDetail): string[] {
  const present = Object.keys(i.fields);
  return [
    ...(present.length > 0 ? [`  Fields:   ${present.join(', ')}`] : []),
    `  Locked fields: ${i.lockedFields.length > 0 ? i.lockedFields.join(', ') : 'none'}`,
  ];
}

/** `~` and `~/…` as a shell would expand them (quoted, the shell left them alone); `~user` is not. */
function expandHome(given: string): string {
  const home = given === '~' || given.startsWith('~/') || (path.sep === '\\' && given.startsWith('~\\'));
  return home ? os.homedir() + given.slice(1) : given;
}

function showItem(i: ItemDetail): string {
  const lines = [
    `#${i.id} ${clean(i.title)}${i.year ? ` (${i.year})` : ''}  [${i.state}${i.monitored ? '' : ', unmonitored'}]`,
    `  Folder:   ${clean(i.folder)} (${i.layout})`,
    `  Video:    ${i.videoPath ? clean(path.basename(i.videoPath)) : '—'}${i.videoSize !== null ? ` (${formatBytes(i.videoSize)})` : ''}`,
    `  Basename: ${clean(i.basename)}`,
    `  Ids:      tmdb ${i.tmdbId ?? '—'}, imdb ${i.imdbId ?? '—'}${i.locked.match ? ' (match locked)' : ''}`,
    `  Scanned:  ${when(i.scannedAt)}   Enriched: ${when(i.enrichedAt)}   Published: ${when(i.publishedAt)}`,
  ];
  if (i.error) lines.push(`  Error:    ${clean(i.error)}`);
  lines.push(...fieldLines(i));
  if (i.slots.length > 0) {
    lines.push('  Artwork:');
    for (const s of i.slots) {
      lines.push(
        `    ${`${s.assetType}${s.rank ? ` #${s.rank}` : ''}`.padEnd(16)}${s.chosenBy.padEnd(9)}${s.locked ? 'locked ' : ''}${s.blobSha ? s.blobSha.slice(0, 12) : '(not downloaded)'}`,
      );
    }
  }
  if (i.libraryFiles.length > 0) {
    lines.push('  Files:');
    for (const f of i.libraryFiles) {
      const dims = f.width && f.height ? ` ${f.width}×${f.height}` : '';
      lines.push(
        `    ${clean(path.relative(i.folder, f.path))}  ${f.role}${f.assetType ? `:${f.assetType}${f.rank ? `#${f.rank}` : ''}` : ''} ${f.origin}${dims} ${formatBytes(f.bytes)}`,
      );
    }
  }
  return lines.join('\n');
}

export const libraryCommands: Command[] = [
  {
    name: 'library add',
    usage: 'PATH [--name NAME]',
    summary: 'Add a movie library folder (nothing is written into it). Scan it next.',
    flags: {
      name: { value: true, description: 'Display name (default: the folder name)' },
      kind: { value: true, description: 'Library kind (movies)' },
    },
    async run({ client, io, json }, args) {
      const given = args.positionals[0];
      if (!given) throw new UsageError('library add needs a PATH');
      const kind = flagString(args, 'kind') ?? 'movies';
      if (kind !== 'movies') throw new UsageError('--kind must be "movies" (TV libraries come later)');
      const name = flagString(args, 'name');
      const lib = await client.call('library-add', {
        path: path.resolve(expandHome(given)),
        kind,
        ...(name ? { name } : {}),
      });
      printResult(
        io,
        json,
        lib,
        (l) => `Added library ${l.id}: ${clean(l.path)}\nRun "posterity scan --library ${l.id}" to find its movies.`,
      );
    },
  },
  {
    name: 'library list',
    usage: '',
    summary: 'List libraries with their item counts.',
    async run({ client, io, json }) {
      const libs = await client.call('library-list', {});
      printResult(io, json, libs, (v) =>
        v.length === 0
          ? 'No libraries yet. Add one with "posterity library add PATH".'
          : table(
              ['ID', 'NAME', 'ITEMS', 'MISSING', 'ERRORS', 'LAST SCAN', 'STATE', 'PATH'],
              v.map((l) => [
                l.id,
                clean(l.name),
                l.itemCount,
                l.missingCount,
                l.errorCount,
                when(l.lastScanAt),
                l.state,
                clean(l.path),
              ]),
            ),
      );
    },
  },
  {
    name: 'library move',
    usage: 'ID NEW_PATH',
    summary: 'Point a library at its new folder (disk swap, new mount point); items, choices and locks stay.',
    async run({ client, io, json }, args) {
      const id = parseId(args.positionals[0], 'ID');
      const given = args.positionals[1];
      if (!given) throw new UsageError('library move needs the NEW_PATH');
      const lib = await client.call('library-move', { id, path: path.resolve(expandHome(given)) });
      printResult(
        io,
        json,
        lib,
        (l) =>
          `Library ${l.id} is now at ${clean(l.path)}
` + `Run "posterity scan --library ${l.id}", then "posterity rebuild" to put back any artwork the move lost.`,
      );
    },
  },
  {
    name: 'library remove',
    usage: 'ID',
    summary: 'Forget a library and its items (files on disk are not touched).',
    async run({ client, io, json }, args) {
      const id = parseId(args.positionals[0], 'ID');
      const r = await client.call('library-remove', { id });
      printResult(
        io,
        json,
        r,
        (v) => `Removed library ${v.removed} (${v.items} items forgotten; no file was touched).`,
      );
    },
  },
  {
    name: 'scan',
    usage: '[--library ID] [--deep]',
    summary: 'Find movies, NFOs and existing artwork (incremental; all libraries by default).',
    details: [
      'The pictures already in the library that movies use are then copied into the cache, so a',
      'rebuild can bring them back if the library loses them.',
      'Exits 0 when every library was read, problems with single movies included (they are listed);',
      'exits 1 when a library folder is missing, unreadable or empty though it held movies (not mounted).',
    ],
    flags: {
      library: { value: true, description: 'Scan only this library' },
      deep: { description: 'Look inside every folder, even unchanged ones' },
    },
    async run(ctx, args) {
      const libraryId = flagInt(args, 'library');
      if (libraryId !== undefined && libraryId <= 0) throw new UsageError('--library must be a positive number');
      const bar = ctx.progress();
      let summary: ScanResult;
      try {
        summary = await ctx.client.call(
          'scan',
          { ...(libraryId !== undefined ? { libraryId } : {}), deep: flagBool(args, 'deep') },
          { onProgress: (p) => bar.update(p) },
        );
      } finally {
        bar.done();
      }
      printResult(ctx.io, ctx.json, summary, scanReport);
      // Problems with single movies are reported and the scan goes on (exit 0); a library whose
      // folder could not be read at all was not scanned, and scripts must be able to tell.
      const unread = await unreadLibraries(ctx.client, summary);
      for (const lib of unread) {
        ctx.io.stderr.write(`posterity: library ${lib.id} could not be read: ${clean(lib.path)}\n`);
      }
      return unread.length > 0 ? EXIT.failed : EXIT.ok;
    },
  },
  {
    name: 'items list',
    usage: '[--missing-art] [--state S] [--search Q] [--errors] [--library ID] [--limit N] [--offset N]',
    summary: 'List items (title, year, state, artwork present).',
    flags: {
      'missing-art': { description: 'Only items lacking a poster or fanart' },
      state: { value: true, description: `Only items in this state (${ITEM_STATES.join(', ')})` },
      search: { value: true, description: 'Title contains, or an IMDb/TMDB id' },
      library: { value: true, description: 'Only this library' },
      errors: { description: 'Only items with a problem' },
      limit: { value: true, description: 'Items per page (default 100)' },
      offset: { value: true, description: 'Skip this many items' },
    },
    async run({ client, io, json }, args) {
      const state = flagString(args, 'state');
      if (state !== undefined && !(ITEM_STATES as readonly string[]).includes(state)) {
        throw new UsageError(`--state must be one of ${ITEM_STATES.join(', ')}`);
      }
      const search = flagString(args, 'search');
      const libraryId = flagInt(args, 'library');
      const limit = flagInt(args, 'limit');
      const offset = flagInt(args, 'offset');
      const list = await client.call('items-list', {
        ...(state ? { state: state as ItemState } : {}),
        ...(flagBool(args, 'missing-art') ? { missingArt: true } : {}),
        ...(flagBool(args, 'errors') ? { hasErrors: true } : {}),
        ...(search ? { search } : {}),
        ...(libraryId !== undefined ? { libraryId } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(offset !== undefined ? { offset } : {}),
      });
      if (list.total === 0 && libraryId !== undefined) await requireLibrary(client, libraryId);
      printResult(io, json, list, (v) => {
        if (v.items.length === 0) return v.total === 0 ? 'No items.' : `No items on this page (${v.total} in all).`;
        const rows = v.items.map((i) => [
          i.id,
          clean(i.title),
          i.year ?? '',
          i.state,
          artFlags(i.art),
          i.error ? `! ${clean(i.error).slice(0, 60)}` : '',
        ]);
        const shown =
          v.items.length < v.total ? `\n${v.items.length} of ${v.total} shown (--limit / --offset for more)` : '';
        return `${table(['ID', 'TITLE', 'YEAR', 'STATE', 'ART (PFLCDBTKH)', 'PROBLEM'], rows)}${shown}`;
      });
    },
  },
  {
    name: 'items show',
    usage: 'ID',
    summary: 'Show one item: ids, fields, locks, artwork slots, library files.',
    async run({ client, io, json }, args) {
      const id = parseId(args.positionals[0], 'ID');
      const item = await client.call('item-get', { id });
      printResult(io, json, item, showItem);
    },
  },
];
