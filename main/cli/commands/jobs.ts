import {
  JOB_KINDS,
  JOB_STATES,
  USER_JOB_KINDS,
  type JobCounts,
  type JobKind,
  type JobState,
  type JobView,
} from '../../../shared/api/jobs.ts';
import { flagBool, flagInt, flagString, parseId, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { printResult, table } from '../output.ts';
import { configuredWebhookBase, runningDaemon } from './daemon.ts';

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}`);
  return value as T;
}

const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

function describeJob(j: JobView): string {
  if (j.state === 'queued' && j.error) return `retry at ${when(j.runAfter)}: ${j.error}`;
  if (j.state === 'running' && j.progress)
    return `${j.progress.done}/${j.progress.total}${j.message ? ` ${j.message}` : ''}`;
  return j.error ?? j.message ?? '';
}

function jobTable(jobs: JobView[]): string {
  if (jobs.length === 0) return 'No jobs.';
  return table(
    ['ID', 'KIND', 'STATE', 'ITEM', 'TRIES', 'CREATED', 'DETAIL'],
    jobs.map((j) => [
      j.id,
      j.kind,
      j.state,
      j.itemTitle ?? j.itemId ?? (typeof j.payload.folder === 'string' ? j.payload.folder : ''),
      `${j.attempts}/${j.maxAttempts}`,
      when(j.createdAt),
      describeJob(j),
    ]),
  );
}

const plural = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

function countsLine(c: JobCounts, shown: number, truncated: boolean): string {
  const parts = [
    `${plural(c.queued, 'waiting job')}, ${c.running.toLocaleString('en-US')} running, ${c.failed.toLocaleString('en-US')} failed`,
  ];
  if (truncated) parts.push(`showing the newest ${shown.toLocaleString('en-US')} (--limit N for more)`);
  return parts.join('; ');
}

export const jobsCommands: Command[] = [
  {
    name: 'jobs list',
    usage: '[--state S] [--kind K] [--item ID] [--limit N]',
    summary: 'Show queued, running and recent jobs, newest first.',
    flags: {
      state: { value: true, description: `Only jobs in this state (${JOB_STATES.join(', ')})` },
      kind: { value: true, description: 'Only jobs of this kind' },
      item: { value: true, description: 'Only jobs about this item' },
      limit: { value: true, description: 'At most this many (default 200)' },
    },
    async run({ client, io, json }, args) {
      const state = oneOf<JobState>(flagString(args, 'state'), JOB_STATES, 'state');
      const kind = oneOf<JobKind>(flagString(args, 'kind'), JOB_KINDS, 'kind');
      const item = flagString(args, 'item');
      const limit = flagInt(args, 'limit');
      const jobs = await client.call('jobs-list', {
        ...(state ? { state } : {}),
        ...(kind ? { kind } : {}),
        ...(item !== undefined ? { itemId: parseId(item, '--item') } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      if (json) return printResult(io, json, jobs, jobTable);
      // The list shows the newest; the totals say how much there is in all.
      const counts = await client.call('jobs-counts', {});
      io.stdout.write(`${jobTable(jobs)}\n${countsLine(counts, jobs.length, jobs.length >= (limit ?? 200))}\n`);
    },
  },
  {
    name: 'jobs cancel',
    usage: 'ID | --queued [--kind K]',
    summary: 'Cancel a queued job, or stop a running one; --queued cancels every waiting job.',
    flags: {
      queued: { description: 'Cancel every waiting job (running ones go on)' },
      kind: { value: true, description: 'With --queued: only waiting jobs of this kind' },
    },
    async run({ client, io, json }, args) {
      const kind = oneOf<JobKind>(flagString(args, 'kind'), JOB_KINDS, 'kind');
      if (flagBool(args, 'queued')) {
        if (args.positionals.length > 0) throw new UsageError('Give a job ID or --queued, not both');
        const r = await client.call('jobs-cancel-queued', kind ? { kind } : {});
        return printResult(
          io,
          json,
          r,
          (x) => `Cancelled ${plural(x.cancelled, 'waiting job')}${kind ? ` (${kind})` : ''}.`,
        );
      }
      if (kind) throw new UsageError('--kind goes with --queued');
      const id = parseId(args.positionals[0], 'The job ID');
      const job = await client.call('jobs-cancel', { id });
      printResult(io, json, job, (j) => `Job #${j.id} (${j.kind}) is ${j.state === 'running' ? 'stopping' : j.state}.`);
    },
  },
  {
    name: 'jobs retry',
    usage: '--failed [--kind K]',
    summary: 'Queue again the work of failed jobs not since done, once each (a running daemon or the app runs it).',
    flags: {
      failed: { description: 'Every failed job whose work is still undone' },
      kind: { value: true, description: 'Only failed jobs of this kind' },
    },
    async run({ client, io, json }, args) {
      const kind = oneOf<JobKind>(flagString(args, 'kind'), JOB_KINDS, 'kind');
      // Spelled out, like `cancel --queued`: a bare `jobs retry` must not requeue everything.
      if (!flagBool(args, 'failed')) throw new UsageError('jobs retry needs --failed');
      if (args.positionals.length > 0) throw new UsageError('jobs retry --failed takes no job ID');
      const r = await client.call('jobs-retry-failed', kind ? { kind } : {});
      printResult(io, json, r, (x) =>
        x.queued === 0
          ? `No failed job to retry${kind ? ` (${kind})` : ''}: none failed, or their work is done, waiting or running.`
          : `Queued ${plural(x.queued, 'failed job')} again${kind ? ` (${kind})` : ''}.`,
      );
    },
  },
  {
    name: 'jobs add',
    usage: 'KIND [ITEM_ID…] [--library ID] [--chain] [--force]',
    summary: 'Queue work for items or a library; a running daemon or the app runs it.',
    flags: {
      library: { value: true, description: 'A library (every item in it, or the library itself for scan-library)' },
      chain: { description: 'Go on with the next automatic steps, as far as automation.level allows' },
      force: { description: 'Ask the providers again even when their cached answer is fresh' },
    },
    async run({ client, io, json }, args) {
      const [kindArg, ...ids] = args.positionals;
      const kind = oneOf(kindArg, USER_JOB_KINDS, 'KIND');
      if (!kind) throw new UsageError(`jobs add needs a KIND (${USER_JOB_KINDS.join(', ')})`);
      const library = flagString(args, 'library');
      const result = await client.call('jobs-enqueue', {
        kind,
        ...(ids.length ? { itemIds: ids.map((id) => parseId(id, 'An item ID')) } : {}),
        ...(library !== undefined ? { libraryId: parseId(library, '--library') } : {}),
        ...(flagBool(args, 'chain') ? { chain: true } : {}),
        ...(flagBool(args, 'force') ? { force: true } : {}),
      });
      printResult(
        io,
        json,
        result,
        (r) =>
          `Queued ${r.jobIds.length} job${r.jobIds.length === 1 ? '' : 's'} (${r.jobIds.slice(0, 10).join(', ')}${r.jobIds.length > 10 ? ', …' : ''}).`,
      );
    },
  },
  {
    name: 'webhook info',
    usage: '[--reveal]',
    summary: 'Show the URLs and secret to give Radarr and Sonarr (Settings → Connect → Webhook).',
    flags: { reveal: { description: 'Show the whole secret' } },
    async run({ client, io, json, engine }, args) {
      const info = await client.call('webhook-info', { reveal: flagBool(args, 'reveal') });
      // This command runs in its own process: the URLs are those of this data folder's daemon
      // when one runs, else those a daemon would use with the settings.
      const daemon = runningDaemon(engine.services.paths.root);
      const base = daemon?.webhookBase ?? configuredWebhookBase(engine.services.settings.get('webhook.listen'));
      const at = (url: string) => `${base}${url.slice(url.indexOf('/webhooks/'))}`;
      const shown = {
        ...info,
        radarrUrl: at(info.radarrUrl),
        sonarrUrl: at(info.sonarrUrl),
        listening: daemon !== null,
        source: daemon ? ('daemon' as const) : ('configured' as const),
        ...(daemon ? { pid: daemon.pid } : {}),
      };
      printResult(io, json, shown, (i) =>
        [
          `Radarr: ${i.radarrUrl}`,
          `Sonarr: ${i.sonarrUrl}`,
          `Secret: ${i.secret}`,
          daemon
            ? `The daemon of this data folder (pid ${daemon.pid}) listens at these URLs now.`
            : 'No daemon runs for this data folder: these are the configured URLs (webhook.listen, else port 8790); run `posterity daemon` to receive them.',
        ].join('\n'),
      );
    },
  },
];
