import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ItemFields } from '../../shared/fields.ts';
import { escapeXml, NFO_MARK, renderMovieNfo, type NfoInput } from '../../main/core/publish/nfo-writer.ts';

const fields: ItemFields = {
  title: 'Amélie & <Friends>',
  originalTitle: 'Le Fabuleux Destin d’Amélie Poulain',
  sortTitle: 'Amelie',
  year: 2001,
  releaseDate: '2001-04-25',
  plot: 'A shy waitress "decides" to change the lives of those around her.\nSecond line.',
  outline: 'Paris, 1997.',
  tagline: 'One person can change your life forever.',
  runtime: 122,
  certification: 'US:R',
  ratings: [
    { source: 'imdb', value: 8.3, votes: 780000, max: 10 },
    { source: 'tmdb', value: 7.9, votes: 11000.4, max: 10 },
  ],
  genres: ['Comedy', 'Romance', 'comedy', ' '],
  studios: ['UGC', 'Canal+'],
  countries: ['France', 'Germany'],
  directors: ['Jean-Pierre Jeunet'],
  writers: ['Guillaume Laurant', 'Jean-Pierre Jeunet'],
  collection: 'Jeunet Films',
  cast: [
    { name: 'Mathieu Kassovitz', role: 'Nino', order: 1, profileUrl: null, tmdbId: 2 },
    { name: 'Audrey Tautou', role: 'Amélie', order: 0, profileUrl: 'http://x/a.jpg', tmdbId: 1 },
  ],
};

const input: NfoInput = {
  title: 'Amelie',
  year: 2001,
  tmdbId: 194,
  imdbId: 'tt0211915',
  fields,
  art: { poster: 'Amelie (2001)-poster.jpg', clearlogo: 'Amelie (2001)-clearlogo.png' },
  fanart: ['Amelie (2001)-fanart.jpg', 'Amelie (2001)-fanart1.jpg'],
  actorThumbs: new Map([['Audrey Tautou', '.actors/Audrey_Tautou.jpg']]),
};

const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    isArray: (n) =>
      ['genre', 'actor', 'rating', 'thumb', 'uniqueid', 'studio', 'country', 'credits', 'director'].includes(n),
  }).parse(xml);

describe('Kodi movie NFO writer', () => {
  const xml = renderMovieNfo(input);
  const movie = parse(xml).movie;

  it('is well-formed XML with the ownership mark and no timestamp', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')).toBe(true);
    expect(xml).toContain(NFO_MARK);
    expect(renderMovieNfo(input)).toBe(xml);
  });

  it('round-trips every text field with escaping intact', () => {
    expect(movie.title).toBe('Amélie & <Friends>');
    expect(movie.originaltitle).toBe('Le Fabuleux Destin d’Amélie Poulain');
    expect(movie.sorttitle).toBe('Amelie');
    expect(movie.plot).toBe(fields.plot);
    expect(movie.outline).toBe('Paris, 1997.');
    expect(movie.tagline).toBe(fields.tagline);
    expect(movie.runtime).toBe('122');
    expect(movie.mpaa).toBe('US:R');
    expect(movie.premiered).toBe('2001-04-25');
    expect(movie.year).toBe('2001');
    expect(movie.set.name).toBe('Jeunet Films');
  });

  it('writes uniqueids with tmdb as the default', () => {
    expect(movie.uniqueid).toEqual([
      { '#text': '194', '@type': 'tmdb', '@default': 'true' },
      { '#text': 'tt0211915', '@type': 'imdb' },
    ]);
  });

  it('writes a ratings block with Kodi source names and the TMDB rating as default', () => {
    expect(movie.ratings.rating).toEqual([
      { '@name': 'imdb', '@max': '10', '@default': 'false', value: '8.3', votes: '780000' },
      { '@name': 'themoviedb', '@max': '10', '@default': 'true', value: '7.9', votes: '11000' },
    ]);
  });

  it('lists genres (deduplicated), studios, countries, writers as credits and directors', () => {
    expect(movie.genre).toEqual(['Comedy', 'Romance']);
    expect(movie.studio).toEqual(['UGC', 'Canal+']);
    expect(movie.country).toEqual(['France', 'Germany']);
    expect(movie.credits).toEqual(['Guillaume Laurant', 'Jean-Pierre Jeunet']);
    expect(movie.director).toEqual(['Jean-Pierre Jeunet']);
  });

  it('orders actors by billing, with local thumbs only where published', () => {
    expect(movie.actor).toEqual([
      { name: 'Audrey Tautou', role: 'Amélie', order: '0', thumb: ['.actors/Audrey_Tautou.jpg'] },
      { name: 'Mathieu Kassovitz', role: 'Nino', order: '1' },
    ]);
  });

  it('references the published local art files', () => {
    expect(movie.thumb).toEqual([
      { '#text': 'Amelie (2001)-poster.jpg', '@aspect': 'poster' },
      { '#text': 'Amelie (2001)-clearlogo.png', '@aspect': 'clearlogo' },
    ]);
    expect(movie.fanart.thumb).toEqual(['Amelie (2001)-fanart.jpg', 'Amelie (2001)-fanart1.jpg']);
  });

  it('leaves out empty fields instead of writing blanks', () => {
    const bare = parse(renderMovieNfo({ ...input, fields: { title: 'X' }, art: {}, fanart: [], imdbId: null })).movie;
    expect(bare.title).toBe('X');
    expect(bare.plot).toBeUndefined();
    expect(bare.ratings).toBeUndefined();
    expect(bare.fanart).toBeUndefined();
    expect(bare.year).toBe('2001');
    expect(bare.uniqueid).toEqual([{ '#text': '194', '@type': 'tmdb', '@default': 'true' }]);
  });

  it.each([
    ['a & b', 'a &amp; b'],
    ['<tag>', '&lt;tag&gt;'],
    ['"q" \'a\'', '&quot;q&quot; &apos;a&apos;'],
    ['bell\u0007 and nul\u0000 stripped', 'bell and nul stripped'],
    ['emoji 🎬 kept', 'emoji 🎬 kept'],
    ['lone \uD800 surrogate', 'lone  surrogate'],
  ])('escapes %j', (raw, escaped) => {
    expect(escapeXml(raw)).toBe(escaped);
  });

  it('survives hostile text: an injected element stays text', () => {
    const hostile = parse(
      renderMovieNfo({ ...input, fields: { title: 'T', plot: '</plot><title>pwned</title><plot>' } }),
    ).movie;
    expect(hostile.title).toBe('T');
    expect(hostile.plot).toBe('</plot><title>pwned</title><plot>');
  });
});
