import { describe, expect, it } from 'vitest';
import { parseXml, type XmlElement } from '../../main/core/library/xml-tree.ts';

function rootOf(xml: string): XmlElement {
  const { root, problem } = parseXml(xml);
  expect(problem).toBeNull();
  return root!;
}

describe('XML tree', () => {
  it('builds elements with their attributes, children in order and own text', () => {
    const root = rootOf(
      '<?xml version="1.0"?>\n<movie id="7">\n  <title>X</title>\n  <e/>\n  <genre>A</genre>\n</movie>\n',
    );
    expect(root.name).toBe('movie');
    expect({ ...root.attrs }).toEqual({ id: '7' });
    expect(root.children.map((c) => [c.name, c.text])).toEqual([
      ['title', 'X'],
      ['e', ''],
      ['genre', 'A'],
    ]);
    expect(root.text.trim()).toBe('');
    expect(Object.keys(root.children[0]!.attrs)).toEqual([]);
  });

  it('decodes the five XML entities and character references in text, and nothing else', () => {
    const root = rootOf('<t>&lt;&gt;&amp;&quot;&apos; &#233;&#x41;&#x1F600; &AMP; &custom; &#0; &#1114112;</t>');
    expect(root.text).toBe(`<>&"' éA😀 & &custom; &#0; &#1114112;`);
  });

  it('lists the elements whose text holds a reference it does not decode, with the first one', () => {
    const parsed = parseXml('<m><a>&amp; &#65;</a><b>x &one; &two;</b><c>&three;<d>&four;</d></c></m>');
    expect(parsed.problem).toBeNull();
    const unexpanded = parsed.problem === null ? parsed.unexpanded : [];
    expect(unexpanded.map((e) => [e.name, e.unexpanded, e.text])).toEqual([
      ['b', '&one;', 'x &one; &two;'],
      ['c', '&three;', '&three;'],
      ['d', '&four;', '&four;'],
    ]);
    expect(parsed.root!.children[0]!.unexpanded).toBeNull();
  });

  it('decodes references in attribute values, in either quote style', () => {
    const root = rootOf(`<rating name="Rotten &amp; Fresh" note='say &quot;hi&quot; &#x41;' odd="a & b"/>`);
    expect({ ...root.attrs }).toEqual({ name: 'Rotten & Fresh', note: 'say "hi" A', odd: 'a & b' });
  });

  it('takes CDATA literally and joins it with the surrounding text', () => {
    const root = rootOf('<plot>Fish <![CDATA[& <chips> &amp; ]]>vinegar</plot>');
    expect(root.text).toBe('Fish & <chips> &amp; vinegar');
  });

  it('keeps an element’s own text apart from its children’s in mixed content', () => {
    const root = rootOf('<plot>Hello <i>big</i> world<!-- note --></plot>');
    expect(root.text).toBe('Hello  world');
    expect(root.children.map((c) => c.text)).toEqual(['big']);
  });

  it('skips a DOCTYPE in the prolog unread and keeps true line numbers after it', () => {
    const doctype = '<!DOCTYPE movie [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n';
    expect(rootOf(`${doctype}<movie>&x;</movie>`).text).toBe('&x;');
    expect(parseXml(`${doctype}<movie>\n<a></b></movie>`).problem).toBe('line 5: </b> where </a> was expected');
    expect(parseXml('<movie><!DOCTYPE movie></movie>').problem).toBe('line 1: a stray "<" (write &lt;)');
  });

  it('handles very deep nesting without recursion', () => {
    const depth = 200_000;
    const xml = '<a>'.repeat(depth) + 'deep' + '</a>'.repeat(depth);
    let el = rootOf(xml);
    let levels = 1;
    while (el.children.length > 0) {
      el = el.children[0]!;
      levels++;
    }
    expect(levels).toBe(depth);
    expect(el.text).toBe('deep');
    expect(parseXml('<a>'.repeat(depth)).problem).toBe(
      `unclosed ${Array(10).fill('<a>').join(', ')}, … ${depth - 10} more`,
    );
  });

  it('accepts closing tags with trailing whitespace and reports mismatches by name', () => {
    expect(rootOf('<movie><title>X</title \n></movie >').children[0]!.text).toBe('X');
    expect(parseXml('<movie><title>X</titles></movie>').problem).toBe('line 1: </titles> where </title> was expected');
    expect(parseXml('<movie><title>X</tit></movie>').problem).toBe('line 1: </tit> where </title> was expected');
    expect(parseXml('<movie></movie foo>').problem).toBe('line 1: a malformed closing tag </movie');
    expect(parseXml('<movie></ movie>').problem).toBe('line 1: a malformed closing tag');
  });

  it('rejects text and CDATA outside the root but allows comments, PIs and whitespace', () => {
    expect(rootOf('<!-- a -->\n<?pi?>\n<movie/>\n<!-- b -->\n').name).toBe('movie');
    expect(parseXml('<movie/>&amp;').problem).toBe('line 1: text outside the root element');
    expect(parseXml('<movie/><![CDATA[x]]>').problem).toBe('line 1: CDATA outside the root element');
    expect(parseXml('<movie/>\n x &y').problem).toBe('line 2: a bare "&" (write &amp;)');
  });
});
