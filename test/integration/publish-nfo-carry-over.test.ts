import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseXml, type XmlElement } from '../../main/core/library/xml-tree.ts';
import { scanFixture, type ScanFixture } from './scan-fixtures.ts';
import { plain } from '../helpers/xml-plain.ts';

/*
 * A publish rewrites the NFO from Posterity's fields; what else the file held (play state, tags,
 * stream details, add-on data) must survive it, whoever wrote the file before.
 */

let f: ScanFixture | undefined;
afterEach(async () => f?.cleanup());

const FOLDER = 'Heat (1995)';
const NFO = 'Heat (1995).nfo';

/** The user's own NFO, as Kodi and an add-on left it. */
const USER_NFO = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<movie>
  <title>Heat</title>
  <plot>The user's plot.</plot>
  <uniqueid type="tmdb" default="true">949</uniqueid>
  <set>
    <name>Michael Mann Collection</name>
  </set>
  <tag>favourites</tag>
  <tag>crime</tag>
  <playcount>3</playcount>
  <watched>true</watched>
  <lastplayed>2024-01-02 20:15:00</lastplayed>
  <dateadded>2023-05-06 10:00:00</dateadded>
  <userrating>9</userrating>
  <trailer>plugin://plugin.video.youtube/?action=play_video&amp;videoid=abc</trailer>
  <fileinfo>
    <streamdetails>
      <video>
        <codec>h264</codec>
        <aspect>2.35</aspect>
        <width>1920</width>
        <height>816</height>
      </video>
      <audio>
        <codec>ac3</codec>
        <language>eng</language>
        <channels>6</channels>
      </audio>
    </streamdetails>
  </fileinfo>
  <myplugin:data xmlns:myplugin="urn:x" myplugin:rev="2">
    <myplugin:entry key="a">one &amp; two</myplugin:entry>
  </myplugin:data>
</movie>
`;

const CARRIED = [
  'set',
  'tag',
  'playcount',
  'watched',
  'lastplayed',
  'dateadded',
  'userrating',
  'trailer',
  'fileinfo',
  'myplugin:data',
];

/** The NFO parsed with the project's own parser; fails the test when it is not well-formed. */
function readMovie(file: string): XmlElement {
  const parsed = parseXml(readFileSync(file, 'utf8'));
  if (parsed.root === null) throw new Error(`${file}: ${parsed.problem}`);
  expect(parsed.root.name).toBe('movie');
  return parsed.root;
}
const named = (root: XmlElement, name: string) => root.children.filter((c) => c.name === name).map(plain);
const texts = (root: XmlElement, name: string) => named(root, name).map((e) => e.text);

async function heat(nfo: string): Promise<{ id: number; nfo: string }> {
  f = await scanFixture({ [`${FOLDER}/Heat (1995).mkv`]: { size: 1000 }, [`${FOLDER}/${NFO}`]: nfo });
  await f.scan();
  const item = await f.byFolder(FOLDER);
  return { id: item.id, nfo: path.join(f.root, FOLDER, NFO) };
}

describe('publishing over an existing NFO', () => {
  it("keeps everything of the user's NFO that Posterity does not write, and Posterity's fields win", async () => {
    const m = await heat(USER_NFO);
    await f!.client.call('field-set', { itemId: m.id, field: 'plot', value: 'Posterity plot.' });
    // No collection in Posterity now: the user's <set> is kept rather than lost.
    await f!.client.call('field-set', { itemId: m.id, field: 'collection', value: '' });

    const r = await f!.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    const root = readMovie(m.nfo);
    expect(readFileSync(m.nfo, 'utf8')).toContain('Written by Posterity');
    expect(texts(root, 'plot')).toEqual(['Posterity plot.']);
    expect(texts(root, 'title')).toEqual(['Heat']);
    expect(named(root, 'uniqueid')).toHaveLength(1);
    const user = parseXml(USER_NFO).root!;
    for (const name of CARRIED) expect(named(root, name), name).toEqual(named(user, name));
    expect(root.children.slice(-11).map((c) => c.name)).toEqual([
      'set',
      'tag',
      'tag',
      'playcount',
      'watched',
      'lastplayed',
      'dateadded',
      'userrating',
      'trailer',
      'fileinfo',
      'myplugin:data',
    ]);
    // The user's file is still restorable from the recycle bin.
    const bin = await f!.engine.services.db.selectFrom('recycle').selectAll().execute();
    expect(bin.map((b) => b.original_path)).toEqual([m.nfo]);
    expect(readFileSync(bin[0]!.stored_path, 'utf8')).toBe(USER_NFO);

    const bytes = readFileSync(m.nfo);
    const again = await f!.client.call('publish', { itemIds: [m.id] });
    expect(again).toMatchObject({ written: 0, unchanged: 1, recycled: 0, errors: [] });
    expect(readFileSync(m.nfo).equals(bytes)).toBe(true);
  });

  it('keeps hand edits to an NFO Posterity wrote across a rescan, and a second publish changes nothing', async () => {
    const m = await heat('<movie><title>Heat</title><uniqueid type="tmdb">949</uniqueid></movie>');
    expect((await f!.client.call('publish', { itemIds: [m.id] })).errors).toEqual([]);
    const edited = readFileSync(m.nfo, 'utf8').replace(
      /(<title>Heat<\/title>\n)/,
      '$1  <playcount>3</playcount>\n  <tag>favourites</tag>\n  <watched>true</watched>\n',
    );
    expect(edited).toContain('<playcount>3</playcount>');
    writeFileSync(m.nfo, edited);
    await f!.scan();

    const r = await f!.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    const root = readMovie(m.nfo);
    expect(texts(root, 'playcount')).toEqual(['3']);
    expect(texts(root, 'tag')).toEqual(['favourites']);
    expect(texts(root, 'watched')).toEqual(['true']);
    expect(texts(root, 'title')).toEqual(['Heat']);

    const bytes = readFileSync(m.nfo);
    const again = await f!.client.call('publish', { itemIds: [m.id] });
    expect(again).toMatchObject({ written: 0, linked: 0, unchanged: 1, recycled: 0, bytes: 0, errors: [] });
    expect(readFileSync(m.nfo).equals(bytes)).toBe(true);
  });

  it('does not bring back a field cleared in Posterity from the NFO Posterity wrote', async () => {
    const m = await heat(
      '<movie><title>Heat</title><sorttitle>Heat 1995</sorttitle><genre>Crime</genre><genre>Drama</genre><uniqueid type="tmdb">949</uniqueid></movie>',
    );
    await f!.client.call('publish', { itemIds: [m.id] });
    const before = readMovie(m.nfo);
    expect(texts(before, 'genre')).toEqual(['Crime', 'Drama']);
    expect(texts(before, 'sorttitle')).toEqual(['Heat 1995']);
    // A play count Kodi wrote meanwhile must still survive the clean-up.
    writeFileSync(m.nfo, readFileSync(m.nfo, 'utf8').replace('</movie>', '  <playcount>1</playcount>\n</movie>'));

    await f!.client.call('field-set', { itemId: m.id, field: 'genres', value: [] });
    await f!.client.call('field-set', { itemId: m.id, field: 'sortTitle', value: '' });
    const r = await f!.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    const after = readMovie(m.nfo);
    expect(named(after, 'genre')).toEqual([]);
    expect(named(after, 'sorttitle')).toEqual([]);
    expect(texts(after, 'playcount')).toEqual(['1']);
  });

  it('carries nothing from a malformed NFO and still publishes, the old file going to the recycle bin', async () => {
    const m = await heat('<movie><title>Heat</title><uniqueid type="tmdb">949</uniqueid></movie>');
    const broken = '<movie><title>Heat</title><playcount>3</playcount><tag>unclosed</movie>\n';
    writeFileSync(m.nfo, broken);

    const r = await f!.client.call('publish', { itemIds: [m.id] });
    expect(r.errors).toEqual([]);
    const root = readMovie(m.nfo);
    expect(texts(root, 'title')).toEqual(['Heat']);
    expect(named(root, 'playcount')).toEqual([]);
    expect(named(root, 'tag')).toEqual([]);
    const bin = await f!.engine.services.db.selectFrom('recycle').selectAll().execute();
    expect(bin.map((b) => b.original_path)).toEqual([m.nfo]);
    expect(readFileSync(bin[0]!.stored_path, 'utf8')).toBe(broken);
  });
});
