import { describe, expect, it } from 'vitest';
import { NFO_MAX_BYTES, decodeNfo, readNfo, readNfoText } from '../../main/core/library/nfo-reader.ts';
import { xmlProblem } from '../../main/core/library/xml-tree.ts';

const FULL = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<movie>
  <title>Am&#233;lie &amp; the &lt;Garden&gt;</title>
  <originaltitle>Le Fabuleux Destin d'Amélie Poulain</originaltitle>
  <sorttitle>Amelie</sorttitle>
  <year>2001</year>
  <premiered>2001-04-25</premiered>
  <plot>A shy waitress.</plot>
  <tagline>She'll change your life.</tagline>
  <runtime>122</runtime>
  <mpaa>Rated R</mpaa>
  <uniqueid type="imdb" default="true">tt0211915</uniqueid>
  <uniqueid type="tmdb">194</uniqueid>
  <genre>Comedy</genre>
  <genre>Romance</genre>
  <studio>Canal+</studio>
  <country>France</country>
  <director>Jean-Pierre Jeunet</director>
  <credits>Guillaume Laurant</credits>
  <set><name>Jeunet Films</name></set>
  <ratings>
    <rating name="imdb" max="10" default="true"><value>8.3</value><votes>780,123</votes></rating>
    <rating name="themoviedb" max="10"><value>7.9</value><votes>11000</votes></rating>
  </ratings>
  <actor><name>Audrey Tautou</name><role>Amélie Poulain</role><order>0</order><thumb>https://image.example/a.jpg</thumb></actor>
  <actor><name>Mathieu Kassovitz</name><role>Nino</role><order>1</order></actor>
</movie>`;

describe('NFO reader', () => {
  it('reads a full Kodi movie NFO', () => {
    const nfo = readNfoText(FULL);
    expect(nfo).toMatchObject({ kind: 'xml', error: null, tmdbId: 194, imdbId: 'tt0211915' });
    expect(nfo.fields).toEqual({
      title: 'Amélie & the <Garden>',
      originalTitle: "Le Fabuleux Destin d'Amélie Poulain",
      sortTitle: 'Amelie',
      year: 2001,
      releaseDate: '2001-04-25',
      plot: 'A shy waitress.',
      tagline: "She'll change your life.",
      runtime: 122,
      certification: 'Rated R',
      genres: ['Comedy', 'Romance'],
      studios: ['Canal+'],
      countries: ['France'],
      directors: ['Jean-Pierre Jeunet'],
      writers: ['Guillaume Laurant'],
      collection: 'Jeunet Films',
      ratings: [
        { source: 'imdb', value: 8.3, votes: 780123, max: 10 },
        { source: 'themoviedb', value: 7.9, votes: 11000, max: 10 },
      ],
      cast: [
        {
          name: 'Audrey Tautou',
          role: 'Amélie Poulain',
          order: 0,
          profileUrl: 'https://image.example/a.jpg',
          tmdbId: null,
        },
        { name: 'Mathieu Kassovitz', role: 'Nino', order: 1, profileUrl: null, tmdbId: null },
      ],
    });
  });

  it.each<[string, string, number | null, string | null, 'xml' | 'url' | 'invalid']>([
    ['legacy <id> with an IMDb id', '<movie><title>X</title><id>tt0133093</id></movie>', null, 'tt0133093', 'xml'],
    ['legacy <id> with a TMDB number', '<movie><title>X</title><id>603</id></movie>', 603, null, 'xml'],
    ['<tmdbid> and <imdbid>', '<movie><tmdbid>603</tmdbid><imdbid>tt0133093</imdbid></movie>', 603, 'tt0133093', 'xml'],
    ['a TMDB URL only', 'https://www.themoviedb.org/movie/603-the-matrix\n', 603, null, 'url'],
    ['an IMDb URL only', '  http://www.imdb.com/title/tt0133093/  ', null, 'tt0133093', 'url'],
    ['a localized IMDb URL', 'https://m.imdb.com/title/tt0133093/?ref_=x', null, 'tt0133093', 'url'],
    [
      'XML followed by a URL',
      '<movie><title>X</title></movie>\nhttps://www.themoviedb.org/movie/603',
      603,
      null,
      'xml',
    ],
    ['uniqueid wins over legacy id', '<movie><uniqueid type="tmdb">1</uniqueid><id>2</id></movie>', 1, null, 'xml'],
    [
      'bad ids are dropped',
      '<movie><uniqueid type="imdb">nm0000206</uniqueid><uniqueid type="tmdb">-4</uniqueid></movie>',
      null,
      null,
      'xml',
    ],
  ])('%s', (_name, text, tmdbId, imdbId, kind) => {
    const nfo = readNfoText(text);
    expect(nfo).toMatchObject({ kind, tmdbId, imdbId, error: null });
  });

  it.each<[string, string, RegExp, number | null, string | null]>([
    [
      'an unclosed document',
      '<movie><title>X</title><uniqueid type="imdb">tt0133093</uniqueid><plot>cut',
      /unclosed <movie>, <plot>/,
      null,
      'tt0133093',
    ],
    ['mismatched tags', '<movie><title>X</titel></movie>', /not well-formed/, null, null],
    ['a TV show NFO', '<tvshow><title>X</title></tvshow>', /<tvshow>, not a <movie>/, null, null],
    ['plain text', 'my favourite film', /neither XML nor/, null, null],
    [
      'a broken file that still names its TMDB id',
      '<movie><uniqueid type="tmdb">603</uniqueid><<',
      /not well-formed/,
      603,
      null,
    ],
  ])('reports %s and keeps what ids it can', (_name, text, error, tmdbId, imdbId) => {
    const nfo = readNfoText(text);
    expect(nfo.kind).toBe('invalid');
    expect(nfo.error).toMatch(error);
    expect(nfo.tmdbId).toBe(tmdbId);
    expect(nfo.imdbId).toBe(imdbId);
    expect(nfo.fields).toEqual({});
  });

  it('never expands DOCTYPE entities (no billion laughs, no external files)', () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE movie [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<movie><title>&c;</title><plot>&xxe;</plot></movie>`;
    const nfo = readNfoText(bomb);
    expect(nfo.fields).toEqual({});
    expect(nfo.error).toBe(
      'The NFO uses entities (&c;, &xxe;) that Posterity does not expand; the title was taken from the folder name; <plot> was left out',
    );
  });

  it('leaves out a value holding an entity it does not expand, keeping the rest and reporting it', () => {
    const nfo = readNfoText(
      '<!DOCTYPE movie [<!ENTITY t "Real Title">]><movie><title>&t;</title><year>1999</year>' +
        '<uniqueid type="tmdb">603</uniqueid><genre>Drama</genre><genre>&g;</genre></movie>',
    );
    expect(nfo).toEqual({
      kind: 'xml',
      error:
        'The NFO uses entities (&t;, &g;) that Posterity does not expand; the title was taken from the folder name; <genre> was left out',
      tmdbId: 603,
      imdbId: null,
      fields: { year: 1999, genres: ['Drama'] },
    });
  });

  it('decodes the predefined entities and character references without a warning', () => {
    const nfo = readNfoText(
      '<movie><title>Am&#233;lie &#x26; &amp;t; &lt;3</title><plot>&quot;&apos;&gt;</plot></movie>',
    );
    expect(nfo).toMatchObject({ kind: 'xml', error: null, fields: { title: 'Amélie & &t; <3', plot: `"'>` } });
  });

  it('skips a rating, an actor or a tag it does not read when they hold unexpanded entities', () => {
    const nfo = readNfoText(
      '<movie><title>X</title><ratings><rating name="imdb"><value>&v;</value></rating></ratings>' +
        '<actor><name>&n;</name></actor><actor><name>B</name></actor><fileinfo>&z;</fileinfo></movie>',
    );
    expect(nfo.fields).toEqual({
      title: 'X',
      cast: [{ name: 'B', role: '', order: 1, profileUrl: null, tmdbId: null }],
    });
    expect(nfo.error).toBe(
      'The NFO uses entities (&v;, &n;) that Posterity does not expand; <ratings> and <actor> were left out',
    );
    expect(readNfoText('<movie><title>X</title><fileinfo>&z;</fileinfo></movie>').error).toBeNull();
  });

  it('decodes the declared encoding and byte-order marks', () => {
    const latin1 = Buffer.from(
      '<?xml version="1.0" encoding="ISO-8859-1"?><movie><title>Am\u00e9lie</title></movie>',
      'latin1',
    );
    expect(readNfo(latin1).fields.title).toBe('Amélie');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<movie><title>Léon</title></movie>', 'utf16le'),
    ]);
    expect(decodeNfo(utf16)).toBe('<movie><title>Léon</title></movie>');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<movie><title>X</title></movie>')]);
    expect(readNfo(bom).fields.title).toBe('X');
  });

  it('refuses empty and oversized files without reading them as XML', () => {
    expect(readNfo(Buffer.alloc(0))).toMatchObject({ kind: 'invalid', error: 'The NFO is empty' });
    expect(readNfo(Buffer.alloc(NFO_MAX_BYTES + 1, 0x20)).error).toMatch(/too large/);
  });

  it('splits packed genre lists and keeps only whitelisted fields', () => {
    const nfo = readNfoText(
      '<movie><genre>Action / Drama</genre><genre>Drama</genre><fileinfo><streamdetails/></fileinfo></movie>',
    );
    expect(nfo.fields).toEqual({ genres: ['Action', 'Drama'] });
  });

  it('reads only the movie’s own tags, not same-named ones nested in other elements', () => {
    const nfo = readNfoText(`<movie>
  <title>Outer</title>
  <fileinfo><streamdetails><video><title>Inner</title><codec>h264</codec></video></streamdetails></fileinfo>
  <producer><name>Not an actor</name></producer>
  <actor><name>A</name><thumb>https://image.example/a.jpg</thumb></actor>
</movie>`);
    expect(nfo.fields).toEqual({
      title: 'Outer',
      cast: [{ name: 'A', role: '', order: 0, profileUrl: 'https://image.example/a.jpg', tmdbId: null }],
    });
  });

  it('takes CDATA literally, decodes attribute references and reads legacy <set> text', () => {
    const nfo = readNfoText(
      '<movie><plot><![CDATA[Fish &amp; <b>chips</b>]]></plot><set>Old Collection</set>' +
        '<ratings><rating name="rotten &amp; fresh" max="100"><value>91</value></rating></ratings></movie>',
    );
    expect(nfo.fields).toEqual({
      plot: 'Fish &amp; <b>chips</b>',
      collection: 'Old Collection',
      ratings: [{ source: 'rotten & fresh', value: 91, votes: 0, max: 100 }],
    });
  });

  it('reads an empty <movie/> as a movie with nothing in it', () => {
    expect(readNfoText('<movie/>')).toEqual({ kind: 'xml', error: null, tmdbId: null, imdbId: null, fields: {} });
  });

  it('counts lines from the top of the file in errors, past a DOCTYPE', () => {
    const nfo = readNfoText(
      '<?xml version="1.0"?>\n<!DOCTYPE movie [\n<!ENTITY a "b">\n]>\n<movie>\n<title>X</titel>\n</movie>',
    );
    expect(nfo.error).toBe('The NFO is not well-formed XML (line 6: </titel> where </title> was expected)');
  });
});

describe('XML well-formedness', () => {
  it.each<[string, string | null]>([
    ['<movie/>', null],
    [
      '<?xml version="1.0"?>\n<!-- by tMM --><movie a="1" b=\'2\'><t>x &amp; y &#233; &#x41; &custom;</t><e/><c><![CDATA[<not a tag> & fine]]></c></movie>\n',
      null,
    ],
    ['<movie><title>x</title>', 'unclosed <movie>'],
    ['<movie><title>x</movie>', 'line 1: </movie> where </title> was expected'],
    ['<movie></movie></x>', 'line 1: </x> closes nothing'],
    ['<movie>\n<a>1 < 2</a></movie>', 'line 2: a stray "<" (write &lt;)'],
    ['<movie>Tom & Jerry</movie>', 'line 1: a bare "&" (write &amp;)'],
    ['<movie a=1></movie>', 'line 1: a malformed tag <movie'],
    ['<a/><b/>', 'line 1: more than one root element'],
    ['hello <movie/>', 'line 1: text outside the root element'],
    ['<movie><!-- open</movie>', 'line 1: an unterminated comment'],
    ['<movie><![CDATA[x</movie>', 'line 1: an unterminated CDATA section'],
    ['<?xml version="1.0"', 'line 1: an unterminated processing instruction'],
    ['', 'no element'],
  ])('%j → %j', (xml, problem) => {
    expect(xmlProblem(xml)).toBe(problem);
  });
});
