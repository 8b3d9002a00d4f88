import { describe, expect, it } from 'vitest';
import { parseMovieName, pickName } from '../../main/core/library/name-parser.ts';
import {
  isLetterRun,
  isSkippedFolderName,
  isSkippedVideoStem,
  isVideoExtension,
  stackFolderVolume,
  stackPartOf,
} from '../../shared/video-extensions.ts';

describe('title and year from names', () => {
  it.each<[string, string, number | null]>([
    ['The.Matrix.1999.1080p.BluRay.x264-GRP', 'The Matrix', 1999],
    ['Amélie (2001)', 'Amélie', 2001],
    ['Blade Runner 2049 (2017)', 'Blade Runner 2049', 2017],
    ['Blade.Runner.2049.2017.2160p.UHD.BluRay.x265', 'Blade Runner 2049', 2017],
    ['1917 (2019)', '1917', 2019],
    ['1917', '1917', null],
    ['2001 A Space Odyssey (1968)', '2001 A Space Odyssey', 1968],
    ['2001 - A Space Odyssey (1968)', '2001 - A Space Odyssey', 1968],
    ['S.W.A.T.2003.720p.WEB-DL', 'S.W.A.T.', 2003],
    ['A.Beautiful.Mind.2001.DVDRip.XviD', 'A Beautiful Mind', 2001],
    ['The_Big_Lebowski_1998', 'The Big Lebowski', 1998],
    ['Alien [1979]', 'Alien', 1979],
    ['Movie Title - 2001', 'Movie Title', 2001],
    ['Léon: The Professional (1994)', 'Léon: The Professional', 1994],
    ['What If? (2013)', 'What If?', 2013],
    ['千と千尋の神隠し (2001)', '千と千尋の神隠し', 2001],
    ['Mr. & Mrs. Smith (2005)', 'Mr. & Mrs. Smith', 2005],
    ['Spider-Man - Into the Spider-Verse (2018) [1080p]', 'Spider-Man - Into the Spider-Verse', 2018],
    ['Star Wars Episode IV - A New Hope (1977) (Remastered)', 'Star Wars Episode IV - A New Hope', 1977],
    ['Harry Potter and the Deathly Hallows Part 2 (2011)', 'Harry Potter and the Deathly Hallows Part 2', 2011],
    ['Se7en', 'Se7en', null],
    ['Fight Club 1999 1080p', 'Fight Club', 1999],
    ['Metropolis (1927)', 'Metropolis', 1927],
    ['Gravity 2013 2160p', 'Gravity', 2013],
    ['Night\nShift (1999)', 'Night Shift', 1999],
  ])('%j → %j (%s)', (name, title, year) => {
    const parsed = parseMovieName(name, { maxYear: 2028 });
    expect(parsed.title).toBe(title);
    expect(parsed.year).toBe(year);
  });

  it('ignores years in the future and before cinema', () => {
    expect(parseMovieName('Space Odyssey 2099', { maxYear: 2028 })).toMatchObject({
      title: 'Space Odyssey 2099',
      year: null,
    });
    expect(parseMovieName('Story of 1850', { maxYear: 2028 })).toMatchObject({ year: null });
  });

  it.each<[string, number | null, string | null]>([
    ['The Matrix (1999) {tmdb-603}', 603, null],
    ['The Matrix (1999) [tmdbid-603]', 603, null],
    ['The Matrix (1999) {imdb-tt0133093}', null, 'tt0133093'],
    ['The Matrix (1999) [imdbid-tt0133093]', null, 'tt0133093'],
    ['The Matrix (1999) {tmdb-abc}', null, null],
  ])('ids written in %j', (name, tmdb, imdb) => {
    const parsed = parseMovieName(name);
    expect(parsed.title).toBe('The Matrix');
    expect(parsed.tmdbId).toBe(tmdb);
    expect(parsed.imdbId).toBe(imdb);
  });

  it('prefers the folder reading unless only the file has a year', () => {
    const folder = parseMovieName('Amélie (2001)');
    const file = parseMovieName('amelie.2001.1080p');
    expect(pickName(folder, file).title).toBe('Amélie');
    expect(pickName(parseMovieName('Amelie'), file)).toMatchObject({ title: 'amelie', year: 2001 });
    expect(pickName(null, file)).toEqual(file);
  });
});

describe('video files, skips and stacks', () => {
  it.each(['mkv', 'MP4', 'avi', 'iso', 'm2ts', 'strm', 'webm'])('%s is a video', (ext) =>
    expect(isVideoExtension(ext)).toBe(true),
  );
  it.each(['nfo', 'jpg', 'srt', 'txt', 'm3u', 'zip', 'ifo'])('%s is not a movie file', (ext) =>
    expect(isVideoExtension(ext)).toBe(false),
  );

  it.each<[string, boolean]>([
    ['the matrix (1999)-trailer', true],
    ['the matrix (1999)-sample', true],
    ['sample', true],
    ['the.matrix.1999.sample', true],
    ['the matrix (1999)-behindthescenes', true],
    ['the matrix (1999)-featurette', true],
    ['trailer', true],
    ['the matrix (1999)', false],
    ['the big short (2015)', false],
    ['the other (1972)', false],
    ['samples of life (2003)', false],
    ['the trailer park (2006)', false],
  ])('video %j skipped: %s', (stem, skipped) => {
    expect(isSkippedVideoStem(stem)).toBe(skipped);
  });

  it.each<[string, boolean, boolean]>([
    ['Sample', false, true],
    ['Trailers', false, true],
    ['Extras', true, true],
    ['Extras', false, false],
    ['Other', false, false],
    ['Featurettes', true, true],
    ['Featurette', true, true],
    ['extrathumbs', false, true],
    ['.actors', true, true],
    ['@eaDir', false, true],
    ['Alien Collection', false, false],
  ])('folder %j (inside a movie folder: %s) skipped: %s', (name, inside, skipped) => {
    expect(isSkippedFolderName(name, inside)).toBe(skipped);
  });

  it.each<[string, string | null, string | null]>([
    ['Movie cd1.avi', 'Movie', 'cd1'],
    ['Movie CD2.avi', 'Movie', 'CD2'],
    ['Movie.part1.mkv', 'Movie', 'part1'],
    ['Movie - Part 2.mkv', 'Movie', 'Part 2'],
    ['Movie-pt3.mkv', 'Movie', 'pt3'],
    ['Movie disc1.iso', 'Movie', 'disc1'],
    ['Movie.Disc A.mkv', 'Movie', 'Disc A'],
    ['Harry Potter Part 2 (2011) cd1.avi', 'Harry Potter Part 2 (2011)', 'cd1'],
    ['Apt Pupil (1998).mkv', null, null],
    ['Stack (2003)-a.avi', 'Stack (2003)', 'a'],
    ['Stack (2003) B.avi', 'Stack (2003)', 'B'],
    ['Stack.2003.c.avi', 'Stack.2003', 'c'],
    ['Stack_d.avi', 'Stack', 'd'],
    ['Movie partA.avi', 'Movie', 'partA'],
    ['Movie-e.avi', null, null],
    ['Alpha.avi', null, null],
    ['Scarface.1983.DVDRip.mkv', null, null],
  ])('%j stacks as %j volume %j', (name, stack, volume) => {
    const part = stackPartOf(name);
    expect(part?.stackName.replace(/[ _.-]+$/, '') ?? null).toBe(stack);
    expect(part?.volume ?? null).toBe(volume);
  });

  it.each<[string[], boolean]>([
    [['a', 'b'], true],
    [['c', 'a', 'b'], true],
    [['a', 'b', 'c', 'd'], true],
    [['b', 'c'], false],
    [['a', 'c'], false],
    [['a', 'a'], false],
  ])('letters %j run from a: %s', (letters, run) => {
    expect(isLetterRun(letters)).toBe(run);
  });

  it.each<[string, string | null]>([
    ['CD1', 'cd1'],
    ['cd2', 'cd2'],
    ['DVD1', 'dvd1'],
    ['Disc 2', 'disc 2'],
    ['disk3', 'disk3'],
    ['CD', null],
    ['Movie CD1 extras', null],
  ])('folder %j stacks as volume %j', (name, volume) => {
    expect(stackFolderVolume(name)).toBe(volume);
  });
});
