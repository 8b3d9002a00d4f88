import { describe, expect, it } from 'vitest';
import { parseArrEvent, UPGRADE_DELETE_GRACE_MS } from '../../main/core/jobs/arr-events.ts';
import { libraryFor, mapArrPath } from '../../main/core/jobs/path-mapping.ts';
import { arrFixture } from '../fixtures/arr/load.ts';

const MATRIX = '/movies/The Matrix (1999)';

describe('Radarr and Sonarr events, by their real names', () => {
  it.each([
    ['radarr', 'radarr-test', { type: 'test' }],
    ['radarr', 'radarr-grab', { type: 'ignore' }],
    ['radarr', 'radarr-download', { type: 'rescan', folders: [MATRIX], restore: true, delayMs: 0, knownOnly: false }],
    ['radarr', 'radarr-download-upgrade', { type: 'rescan', folders: [MATRIX], restore: true, delayMs: 0 }],
    ['radarr', 'radarr-rename', { type: 'rescan', folders: [MATRIX], restore: true, delayMs: 0 }],
    ['radarr', 'radarr-moviefiledelete-upgrade', { type: 'rescan', folders: [MATRIX], delayMs: UPGRADE_DELETE_GRACE_MS }],
    ['radarr', 'radarr-moviefiledelete-manual', { type: 'rescan', folders: [MATRIX], delayMs: 0 }],
    ['radarr', 'radarr-moviedelete', { type: 'rescan', folders: [MATRIX], restore: false, knownOnly: true }],
    ['radarr', 'radarr-health', { type: 'health', restored: false, level: 'warning' }],
    ['sonarr', 'sonarr-test', { type: 'test' }],
    ['sonarr', 'sonarr-download', { type: 'rescan', folders: ['/tv/Severance'], restore: true }],
    ['sonarr', 'sonarr-rename', { type: 'rescan', folders: ['/tv/Severance'], restore: true }],
    ['sonarr', 'sonarr-episodefiledelete-upgrade', { type: 'rescan', folders: ['/tv/Severance'], delayMs: UPGRADE_DELETE_GRACE_MS }],
  ] as const)('%s %s', (source, fixture, expected) => {
    expect(parseArrEvent(source, arrFixture(fixture))).toMatchObject(expected);
  });

  it('takes the movie folder from the file when the payload has no folderPath', () => {
    const body = arrFixture('radarr-download');
    delete (body.movie as Record<string, unknown>).folderPath;
    expect(parseArrEvent('radarr', body)).toMatchObject({ type: 'rescan', folders: [MATRIX] });
  });

  it('rescans the old folder too when a rename moved the file', () => {
    const body = arrFixture('radarr-rename');
    const file = (body.renamedMovieFiles as Record<string, unknown>[])[0]!;
    file.previousPath = '/movies/Matrix/The Matrix.mkv';
    expect(parseArrEvent('radarr', body)).toMatchObject({ folders: [MATRIX, '/movies/Matrix'] });
  });

  it.each([
    ['no eventType', { movie: {} }, 'invalid'],
    ['a list', [1, 2], 'invalid'],
    ['eventType of the wrong type', { eventType: 7 }, 'invalid'],
    ['an event we do not act on', { eventType: 'ApplicationUpdate' }, 'ignore'],
    ['an unknown event', { eventType: 'SomethingNew' }, 'ignore'],
    ['a Download without any path', { eventType: 'Download', movie: { title: 'X' } }, 'ignore'],
    ['the old MovieFileDeleted name Metarr expected', { eventType: 'MovieFileDeleted', movie: { folderPath: MATRIX } }, 'ignore'],
  ])('%s → %s', (_what, body, type) => {
    expect(parseArrEvent('radarr', body).type).toBe(type);
  });

  it('reads Windows paths from a Radarr on Windows', () => {
    const body = { eventType: 'Download', movieFile: { path: 'D:\\Movies\\Heat (1995)\\Heat.mkv' } };
    expect(parseArrEvent('radarr', body)).toMatchObject({ folders: ['D:\\Movies\\Heat (1995)'] });
  });
});

describe('path mapping from *arr paths to local paths', () => {
  const mappings = [
    { from: '/movies', to: '/srv/media/movies' },
    { from: '/movies/4k', to: '/mnt/uhd' },
    { from: 'D:\\Movies', to: '/mnt/windows-movies/' },
    { from: '\\\\nas\\media\\', to: '/mnt/nas' },
  ];
  it.each([
    ['/movies/Heat (1995)', '/srv/media/movies/Heat (1995)'],
    ['/movies/4k/Heat (1995)', '/mnt/uhd/Heat (1995)'], // the longest prefix wins
    ['/movies4k/Heat (1995)', '/movies4k/Heat (1995)'], // whole folder names only
    ['/movies', '/srv/media/movies'],
    ['/movies/', '/srv/media/movies'],
    ['D:\\Movies\\Heat (1995)', '/mnt/windows-movies/Heat (1995)'],
    ['d:\\movies\\Heat (1995)', '/mnt/windows-movies/Heat (1995)'], // Windows paths are caseless
    ['\\\\nas\\media\\Heat (1995)', '/mnt/nas/Heat (1995)'],
    ['/tv/Severance', '/tv/Severance'], // no mapping: unchanged
    ['/movies/../etc', '/etc'], // normalised, then refused by the library check
  ])('%s → %s', (arr, local) => {
    expect(mapArrPath(arr, mappings, '/')).toBe(local);
  });

  it('keeps to folders inside a library', () => {
    const libs = [
      { id: 1, path: '/srv/media/movies' },
      { id: 2, path: '/srv/media/movies/kids' },
    ];
    expect(libraryFor(libs, '/srv/media/movies/Heat (1995)', '/')?.id).toBe(1);
    expect(libraryFor(libs, '/srv/media/movies/kids/Up (2009)', '/')?.id).toBe(2);
    expect(libraryFor(libs, '/srv/media/movies', '/')?.id).toBe(1);
    expect(libraryFor(libs, '/srv/media/movies-old/Heat', '/')).toBeNull();
    expect(libraryFor(libs, '/etc', '/')).toBeNull();
    expect(libraryFor(libs, 'D:/Movies/Heat', '/')).toBeNull();
  });
});
