/**
 * Runs the fake providers until SIGINT/SIGTERM and prints their URLs and keys as one JSON line.
 *   npx tsx test/fakes/cli.ts [--seed N] [--movies N] [--latency MS] [--tmdb-rate N] [--fanart-rate N]
 */
import { parseArgs } from 'node:util';
import { startFakeProviders } from './index.ts';

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    movies: { type: 'string' },
    latency: { type: 'string' },
    'tmdb-rate': { type: 'string' },
    'fanart-rate': { type: 'string' },
  },
  strict: true,
});

const tmdbRate = intOption('tmdb-rate', values['tmdb-rate']);
const fanartRate = intOption('fanart-rate', values['fanart-rate']);
const fakes = await startFakeProviders({
  seed: intOption('seed', values.seed) ?? 1,
  movieCount: intOption('movies', values.movies) ?? 50,
  latencyMs: intOption('latency', values.latency) ?? 0,
  tmdbRateLimit: tmdbRate ?? null,
  fanartRateLimit: fanartRate ?? null,
});

process.stdout.write(
  `${JSON.stringify({
    tmdbApiUrl: fakes.tmdbApiUrl,
    tmdbImageBaseUrl: fakes.tmdbImageBaseUrl,
    tmdbApiKey: fakes.tmdbApiKey,
    tmdbBearerToken: fakes.tmdbBearerToken,
    fanartApiUrl: fakes.fanartApiUrl,
    fanartAssetUrl: fakes.fanartAssetUrl,
    fanartApiKey: fakes.fanartApiKey,
    seed: fakes.catalogue.seed,
    movies: fakes.catalogue.movies.length,
    pid: process.pid,
  })}\n`,
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void fakes.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
