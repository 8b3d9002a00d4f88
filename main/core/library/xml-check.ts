/*
 * A strict well-formedness check for NFO documents, run before fast-xml-parser builds the
 * object (the parser itself is lenient about unclosed tags). One pass: every tag closed in
 * order, attributes quoted, exactly one root element, `&` only as a reference, comments,
 * CDATA and processing instructions terminated. DOCTYPEs are removed by the caller, so no
 * entity is ever declared, let alone expanded.
 */

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRS = /(?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(\/?)>/y;
const CLOSE_REST = /\s*>/y;
const REFERENCE = /&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_][\w.-]*);/y;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Null when `xml` is well-formed; else what is wrong, in words. */
export function xmlProblem(xml: string): string | null {
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const fail = (at: number, what: string) => `line ${lineOf(xml, at)}: ${what}`;
  const text = (from: number, to: number): string | null => {
    for (let a = xml.indexOf('&', from); a !== -1 && a < to; a = xml.indexOf('&', a + 1)) {
      REFERENCE.lastIndex = a;
      if (!REFERENCE.test(xml)) return fail(a, 'a bare "&" (write &amp;)');
    }
    if (stack.length === 0 && xml.slice(from, to).trim() !== '') return fail(from, 'text outside the root element');
    return null;
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const end = lt === -1 ? xml.length : lt;
    const bad = text(i, end);
    if (bad) return bad;
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const close = xml.indexOf('-->', lt + 4);
      if (close === -1) return fail(lt, 'an unterminated comment');
      i = close + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      if (stack.length === 0) return fail(lt, 'CDATA outside the root element');
      const close = xml.indexOf(']]>', lt + 9);
      if (close === -1) return fail(lt, 'an unterminated CDATA section');
      i = close + 3;
    } else if (xml.startsWith('<?', lt)) {
      const close = xml.indexOf('?>', lt + 2);
      if (close === -1) return fail(lt, 'an unterminated processing instruction');
      i = close + 2;
    } else if (xml[lt + 1] === '/') {
      NAME.lastIndex = lt + 2;
      const m = NAME.exec(xml);
      if (!m) return fail(lt, 'a malformed closing tag');
      CLOSE_REST.lastIndex = NAME.lastIndex;
      if (!CLOSE_REST.test(xml)) return fail(lt, `a malformed closing tag </${m[0]}`);
      const open = stack.pop();
      if (open !== m[0])
        return fail(lt, open ? `</${m[0]}> where </${open}> was expected` : `</${m[0]}> closes nothing`);
      i = CLOSE_REST.lastIndex;
    } else {
      NAME.lastIndex = lt + 1;
      const m = NAME.exec(xml);
      if (!m) return fail(lt, 'a stray "<" (write &lt;)');
      ATTRS.lastIndex = NAME.lastIndex;
      const a = ATTRS.exec(xml);
      if (!a) return fail(lt, `a malformed tag <${m[0]}`);
      if (stack.length === 0 && ++roots > 1) return fail(lt, 'more than one root element');
      if (a[1] !== '/') stack.push(m[0]);
      i = ATTRS.lastIndex;
    }
  }
  if (stack.length > 0) return `unclosed ${stack.map((t) => `<${t}>`).join(', ')}`;
  if (roots === 0) return 'no element';
  return null;
}
