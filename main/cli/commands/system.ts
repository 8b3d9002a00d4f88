import type { SettingView } from '../../../shared/settings.ts';
import { UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { formatBytes, printResult, table } from '../output.ts';

const showSetting = (s: SettingView) =>
  `${s.key} = ${JSON.stringify(s.value)}${s.source === 'default' ? '' : `  (${s.source === 'env' ? `from ${s.env}` : 'set'})`}`;

/** Values on the command line are JSON when they parse as JSON, else plain strings. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const systemCommands: Command[] = [
  {
    name: 'status',
    usage: '',
    summary: 'Show the data folder, database, libraries, cache and jobs.',
    async run({ client, io, json }) {
      const s = await client.call('status', {});
      printResult(io, json, s, (v) =>
        [
          `Posterity ${v.version}${v.demo ? ' (demo)' : ''}`,
          `Data folder: ${v.dataDir}`,
          `Database:    ${v.database.path} (schema ${v.database.schemaVersion}, ${formatBytes(v.database.sizeBytes)})`,
          `Libraries:   ${v.libraries}`,
          `Items:       ${v.items.total}${
            Object.keys(v.items.byState).length
              ? ` (${Object.entries(v.items.byState)
                  .map(([k, n]) => `${k} ${n}`)
                  .join(', ')})`
              : ''
          }`,
          `Cache:       ${v.cache.blobs} images, ${formatBytes(v.cache.bytes)}`,
          ...Object.entries(v.cache.byType).map(
            ([t, u]) => `  ${t.padEnd(13)}${u.files} files, ${formatBytes(u.bytes)}`,
          ),
          `  ${'thumbnails'.padEnd(13)}${v.cache.thumbnails.files} files, ${formatBytes(v.cache.thumbnails.bytes)}`,
          `  ${'quarantine'.padEnd(13)}${v.cache.quarantine.files} files, ${formatBytes(v.cache.quarantine.bytes)}` +
            (v.cache.quarantine.blobs ? ` (${v.cache.quarantine.blobs} images could not be repaired)` : ''),
          `Downloads:   ${v.cache.downloads.pending} pending, ${v.cache.downloads.failed} failed`,
          `Jobs:        ${v.jobs.queued} queued, ${v.jobs.running} running, ${v.jobs.failed} failed; ${
            v.jobs.runner
              ? `run by process ${v.jobs.runner.pid} (the app or a daemon)`
              : 'no process runs them: start `posterity daemon` or the app'
          }`,
          `TMDB:        ${v.providers.tmdb.configured ? 'key set' : 'no key'} (${v.providers.tmdb.baseUrl})`,
          `Fanart.tv:   ${v.providers.fanart.configured ? 'key set' : 'no key'} (${v.providers.fanart.baseUrl})`,
        ].join('\n'),
      );
    },
  },
  {
    name: 'config list',
    usage: '',
    summary: 'List every setting with its value (secrets masked).',
    async run({ client, io, json }) {
      const list = await client.call('config-list', {});
      printResult(io, json, list, (v) =>
        table(
          ['KEY', 'VALUE', 'SOURCE'],
          v.map((s) => [s.key, JSON.stringify(s.value), s.source === 'env' ? `env ${s.env}` : s.source]),
        ),
      );
    },
  },
  {
    name: 'config get',
    usage: 'KEY',
    summary: 'Show one setting and what it means.',
    async run({ client, io, json }, args) {
      const key = args.positionals[0];
      if (!key) throw new UsageError('config get needs a KEY');
      const s = await client.call('config-get', { key });
      printResult(io, json, s, (v) => `${showSetting(v)}\n  ${v.description}`);
    },
  },
  {
    name: 'config set',
    usage: 'KEY VALUE',
    summary: 'Change a setting (VALUE is JSON or a plain string).',
    async run({ client, io, json }, args) {
      const [key, value] = args.positionals;
      if (!key || value === undefined) throw new UsageError('config set needs KEY and VALUE');
      const s = await client.call('config-set', { key, value: parseValue(value) });
      printResult(io, json, s, showSetting);
    },
  },
];
