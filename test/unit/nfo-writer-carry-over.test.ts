import { describe, expect, it } from 'vitest';
import { parseXml, type XmlElement } from '../../main/core/library/xml-tree.ts';
import { NFO_ELEMENTS, renderMovieNfo, type NfoInput } from '../../main/core/publish/nfo-writer.ts';
import { plain } from '../helpers/xml-plain.ts';

/** What Posterity knows about the movie: title, ids, a plot and one genre; no set, no sort title. */
const input: NfoInput = {
  title: 'Heat',
  year: 1995,
  tmdbId: 949,
  imdbId: null,
  fields: { title: 'Heat', plot: 'A cop and a thief.', genres: ['Crime'] },
  art: {},
  fanart: [],
  actorThumbs: new Map(),
};

/** A user's NFO as Kodi and an add-on leave it. */
const FOREIGN = `<?xml version="1.0" encoding="UTF-8"?>
<movie xmlns:rootns="urn:root">
  <title>Heat (user)</title>
  <plot>The user's plot.</plot>
  <playcount>3</playcount>
  <set><name>Mann Films</name><overview>Crime &amp; more</overview></set>
  <genre>Thriller</genre>
  <tag>favourites</tag>
  <fileinfo>
    <streamdetails>
      <video><codec>h264</codec><width>1920</width></video>
    </streamdetails>
  </fileinfo>
  <myplugin:data xmlns:myplugin="urn:x" myplugin:version="2">a &lt;b&gt; &quot;c&quot;<myplugin:item id="1"/></myplugin:data>
  <rootns:mark>uses the root's namespace</rootns:mark>
  <watched/>
</movie>
`;

function movie(xml: string): XmlElement {
  const parsed = parseXml(xml);
  if (parsed.root === null) throw new Error(parsed.problem);
  expect(parsed.root.name).toBe('movie');
  return parsed.root;
}
const named = (root: XmlElement, name: string) => root.children.filter((c) => c.name === name).map(plain);

describe('NFO writer vocabulary', () => {
  it('is exactly what a full render writes under <movie>, in order', () => {
    const full: NfoInput = {
      title: 'Full',
      year: 2001,
      tmdbId: 1,
      imdbId: 'tt0000001',
      fields: {
        title: 'Full',
        originalTitle: 'O',
        sortTitle: 'S',
        ratings: [{ source: 'tmdb', value: 7, votes: 1, max: 10 }],
        outline: 'o',
        plot: 'p',
        tagline: 't',
        runtime: 90,
        certification: 'R',
        genres: ['g'],
        countries: ['c'],
        collection: 'set',
        writers: ['w'],
        directors: ['d'],
        releaseDate: '2001-01-01',
        studios: ['s'],
        cast: [{ name: 'A', role: 'r', order: 0, profileUrl: null, tmdbId: 2 }],
      },
      art: { poster: 'p.jpg' },
      fanart: ['f.jpg'],
      actorThumbs: new Map(),
    };
    const names = movie(renderMovieNfo(full)).children.map((c) => c.name);
    expect([...new Set(names)]).toEqual([...NFO_ELEMENTS]);
  });
});

describe('carrying over an existing NFO', () => {
  it('keeps everything of a foreign NFO the render does not write, in order, before </movie>', () => {
    const out = renderMovieNfo(input, { text: FOREIGN, ours: false });
    const root = movie(out);
    const source = movie(FOREIGN);
    // Posterity's fields win; the user's title and plot are not duplicated.
    expect(named(root, 'title').map((t) => t.text)).toEqual(['Heat']);
    expect(named(root, 'plot').map((t) => t.text)).toEqual(['A cop and a thief.']);
    expect(named(root, 'genre').map((t) => t.text)).toEqual(['Crime']);
    const carried = ['playcount', 'set', 'tag', 'fileinfo', 'myplugin:data', 'rootns:mark', 'watched'];
    expect(root.children.slice(-carried.length).map((c) => c.name)).toEqual(carried);
    for (const name of carried.filter((n) => n !== 'rootns:mark'))
      expect(named(root, name)).toEqual(named(source, name));
    // A prefix declared on the old <movie> travels with the element that uses it.
    expect(named(root, 'rootns:mark')[0]!.attrs).toEqual({ 'xmlns:rootns': 'urn:root' });
    expect(out).toContain('  <playcount>3</playcount>\n');
    expect(out).toContain('  <fileinfo>\n    <streamdetails>\n      <video>\n        <codec>h264</codec>\n');
    expect(out).toContain(
      '  <myplugin:data xmlns:myplugin="urn:x" myplugin:version="2">a &lt;b&gt; &quot;c&quot;<myplugin:item id="1"/></myplugin:data>\n',
    );
    expect(out.endsWith('  <watched/>\n</movie>\n')).toBe(true);
  });

  it('is a fixed point: rewriting over its own output gives the same bytes, the foreign set included', () => {
    const first = renderMovieNfo(input, { text: FOREIGN, ours: false });
    const second = renderMovieNfo(input, { text: first, ours: true });
    expect(second).toBe(first);
    expect(renderMovieNfo(input, { text: second, ours: true })).toBe(first);
    expect(named(movie(second), 'set')).toHaveLength(1);
  });

  it('from an NFO we wrote keeps only what lies outside the vocabulary', () => {
    const ours = renderMovieNfo({ ...input, fields: { ...input.fields, sortTitle: 'Heat 1995' } }).replace(
      '</movie>',
      '  <playcount>2</playcount>\n  <tag>watch again</tag>\n  <genre>Edited by hand</genre>\n</movie>',
    );
    const root = movie(renderMovieNfo(input, { text: ours, ours: true }));
    // The sort title was cleared in Posterity and stays cleared; a hand-added genre is not ours to keep.
    expect(named(root, 'sorttitle')).toEqual([]);
    expect(named(root, 'genre').map((g) => g.text)).toEqual(['Crime']);
    expect(named(root, 'playcount').map((p) => p.text)).toEqual(['2']);
    expect(named(root, 'tag').map((t) => t.text)).toEqual(['watch again']);
  });

  it('lets a field set in Posterity replace a kept foreign element for good', () => {
    const first = renderMovieNfo(input, { text: FOREIGN, ours: false });
    const withSet = renderMovieNfo(
      { ...input, fields: { ...input.fields, collection: 'Heat Collection' } },
      { text: first, ours: true },
    );
    expect(named(movie(withSet), 'set').map((s) => s.children[0]!.text)).toEqual(['Heat Collection']);
    const cleared = movie(renderMovieNfo(input, { text: withSet, ours: true }));
    expect(named(cleared, 'set')).toEqual([]);
  });

  it('writes text and attributes safely: escapes, invalid characters dropped, CDATA and line breaks kept', () => {
    const text = `<movie><title>x</title><note a="1 &amp; 2&#10;3" b='q"uote'>tab\there<![CDATA[ <raw> & ]]>\u0001</note><mixed>before<b>bold</b> after</mixed></movie>`;
    const out = renderMovieNfo(input, { text, ours: false });
    const root = movie(out);
    expect(named(root, 'note')[0]).toEqual({
      name: 'note',
      attrs: { a: '1 & 2\n3', b: 'q"uote' },
      text: 'tab\there <raw> &',
      children: [],
    });
    expect(out).toContain('<note a="1 &amp; 2&#10;3" b="q&quot;uote">tab\there &lt;raw&gt; &amp; </note>');
    expect(out).toContain('  <mixed>before after<b>bold</b></mixed>\n');
    expect(renderMovieNfo(input, { text: out, ours: true })).toBe(out);
  });

  it('reads the XML part of a combination NFO (XML followed by a provider URL)', () => {
    const text = '<movie><title>x</title><playcount>1</playcount></movie>\nhttps://www.themoviedb.org/movie/949\n';
    expect(named(movie(renderMovieNfo(input, { text, ours: false })), 'playcount')).toHaveLength(1);
  });

  it.each([
    ['malformed XML', '<movie><title>x</title><playcount>3</movie>'],
    ['another root', '<tvshow><playcount>3</playcount></tvshow>'],
    ['not XML at all', 'https://www.themoviedb.org/movie/949'],
  ])('carries nothing from %s', (_, text) => {
    expect(renderMovieNfo(input, { text, ours: false })).toBe(renderMovieNfo(input));
  });

  it('leaves out an element whose text holds an entity that is never expanded', () => {
    const text = '<!DOCTYPE movie [<!ENTITY who "x">]><movie><note>by &who;</note><tag>kept</tag></movie>';
    const root = movie(renderMovieNfo(input, { text, ours: false }));
    expect(named(root, 'note')).toEqual([]);
    expect(named(root, 'tag').map((t) => t.text)).toEqual(['kept']);
  });
});
