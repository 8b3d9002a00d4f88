/*
 * A strict, single-pass XML reader for NFO documents: it decides well-formed or not and builds a
 * small element tree in the same scan, so nothing is parsed twice. Strict because a lenient
 * parser happily reads half a file: every tag closed in order, attributes quoted, exactly one
 * root element, `&` only as a reference, comments, CDATA and processing instructions terminated.
 * No entity is ever declared or expanded: a DOCTYPE in the prolog is skipped unread, and only the
 * five predefined entities and numeric character references are decoded (other references stay
 * as written, and the elements holding them are listed so a reader can refuse them). The stack is explicit, so deeply nested input cannot overflow the call stack.
 */

export interface XmlElement {
  readonly name: string;
  /** Attribute values, entities decoded; shared and frozen when the element has none. */
  readonly attrs: Readonly<Record<string, string>>;
  /** Child elements in document order; text, comments and PIs are not children. */
  readonly children: readonly XmlElement[];
  /**
   * The element's own text, children's excluded, references decoded and CDATA taken literally.
   * Not trimmed, except that whitespace-only runs before its first text are left out.
   */
  readonly text: string;
  /**
   * The first reference in `text` to an entity that is not decoded (`&title;`, declared in a
   * DOCTYPE or not at all), as written; null when there is none. Such text is not what the
   * author meant, so readers should not take it as a value.
   */
  readonly unexpanded: string | null;
}

export type XmlParse =
  | {
      root: XmlElement;
      problem: null;
      /** Elements whose text holds an undecoded entity reference, in document order (usually none). */
      unexpanded: readonly XmlElement[];
    }
  | { root: null; problem: string };

// What the scan fills in; handed out read-only as XmlElement.
interface Building {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  unexpanded: string | null;
}

const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
// Most elements are leaves; they share one empty list until a first child arrives.
const NO_CHILDREN: XmlElement[] = Object.freeze([]) as unknown as XmlElement[];

const ATTR = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*\/?>/y;
const CLOSE_END = /\s*>/y;
const REFERENCE = /&(?:#([0-9]+)|#x([0-9a-fA-F]+)|([A-Za-z_][\w.-]*));/y;
const DOCTYPE = /<!DOCTYPE[^[>]*(?:\[[\s\S]*?\]\s*)?>/iy;
// Lenient on purpose: attribute values are not checked for bare `&` (they never were).
const ATTR_REFERENCE = /&(#x[0-9a-f]+|#[0-9]+|lt|gt|amp|quot|apos);/gi;

const UNCLOSED_SHOWN = 10;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;

// Names are ASCII, [A-Za-z_][A-Za-z0-9_.:-]*, as NFO checks have always taken them. A table
// lookup per character is what keeps tag scanning cheap.
const NAME_START = 1;
const NAME_CHAR = 2;
const NAME_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) NAME_CLASS[c] = NAME_START | NAME_CHAR;
  else if (/[0-9.:-]/.test(ch)) NAME_CLASS[c] = NAME_CHAR;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Index just past the name starting at `from` (== `from` when there is none). */
function nameEnd(s: string, from: number): number {
  const first = s.charCodeAt(from);
  if (!(first < 128 && NAME_CLASS[first]! & NAME_START)) return from;
  let i = from + 1;
  for (let c = s.charCodeAt(i); c < 128 && NAME_CLASS[c]! & NAME_CHAR; c = s.charCodeAt(++i));
  return i;
}

/** Index past a DOCTYPE declaration at `at`, or -1. Its internal subset is skipped, never read. */
function doctypeEnd(s: string, at: number): number {
  DOCTYPE.lastIndex = at;
  return DOCTYPE.test(s) ? DOCTYPE.lastIndex : -1;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function namedEntity(name: string): string | null {
  if (name.length > 4) return null;
  switch (name.toLowerCase()) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default:
      return null;
  }
}

function codePoint(code: number, written: string): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : written;
}

function decodeAttr(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ATTR_REFERENCE, (all, e: string) => {
    if (e.charCodeAt(0) !== 0x23) return namedEntity(e) ?? all;
    const x = e.charCodeAt(1) === 0x78 || e.charCodeAt(1) === 0x58;
    return codePoint(x ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10), all);
  });
}

/**
 * Checks `xml` and builds its element tree in one scan. Never throws; `problem` names the first
 * fault found, with its line, in words a user can act on.
 */
export function parseXml(xml: string): XmlParse {
  const len = xml.length;
  const stack: Building[] = [];
  let root: Building | null = null;
  let i = 0;
  // `>>> 0` turns indexOf's -1 into 2^32 - 1, past any end, so "none left" needs no own test.
  let nextAmp = -1;
  const unexpanded: XmlElement[] = [];
  const fail = (at: number, what: string): XmlParse => ({ root: null, problem: `line ${lineOf(xml, at)}: ${what}` });

  while (i < len) {
    const lt = xml.indexOf('<', i);
    const end = lt === -1 ? len : lt;

    if (end > i) {
      // Text: decoded while its references are checked, so a bare `&` costs no second look.
      // The next `&` is remembered: searching afresh from every text run would rescan the rest
      // of an `&`-free document each time.
      if (nextAmp < i) nextAmp = xml.indexOf('&', i) >>> 0;
      let amp = nextAmp;
      if (amp < end) {
        let decoded = '';
        let from = i;
        let undecoded: string | null = null;
        for (; amp < end; amp = xml.indexOf('&', amp + 1) >>> 0) {
          REFERENCE.lastIndex = amp;
          const m = REFERENCE.exec(xml);
          if (!m) return fail(amp, 'a bare "&" (write &amp;)');
          const [written, dec, hex, name] = m;
          const named = name === undefined ? null : namedEntity(name);
          if (name !== undefined && named === null) undecoded ??= written;
          const value =
            name !== undefined
              ? (named ?? written)
              : codePoint(dec !== undefined ? parseInt(dec, 10) : parseInt(hex!, 16), written);
          decoded += xml.slice(from, amp) + value;
          from = amp + written.length;
        }
        nextAmp = amp;
        const top = stack[stack.length - 1];
        if (!top) return fail(i, 'text outside the root element');
        top.text += decoded + xml.slice(from, end);
        if (undecoded !== null && top.unexpanded === null) {
          top.unexpanded = undecoded;
          unexpanded.push(top);
        }
      } else {
        let j = i;
        while (j < end && isSpace(xml.charCodeAt(j))) j++;
        const top = stack[stack.length - 1];
        if (!top) {
          // Any Unicode whitespace may sit outside the root, hence trim() past the fast loop.
          if (j < end && xml.slice(j, end).trim() !== '') return fail(i, 'text outside the root element');
        } else if (j < end || top.text !== '') {
          // Whitespace-only runs before an element's first text are indentation: readers trim
          // it anyway, and skipping it spares a string per line.
          top.text += xml.slice(i, end);
        }
      }
    }
    if (lt === -1) break;

    const next = xml.charCodeAt(lt + 1);
    if (next === BANG) {
      if (xml.startsWith('<!--', lt)) {
        const close = xml.indexOf('-->', lt + 4);
        if (close === -1) return fail(lt, 'an unterminated comment');
        i = close + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const top = stack[stack.length - 1];
        if (!top) return fail(lt, 'CDATA outside the root element');
        const close = xml.indexOf(']]>', lt + 9);
        if (close === -1) return fail(lt, 'an unterminated CDATA section');
        top.text += xml.slice(lt + 9, close);
        i = close + 3;
      } else {
        const past = root === null ? doctypeEnd(xml, lt) : -1;
        if (past === -1) return fail(lt, 'a stray "<" (write &lt;)');
        i = past;
      }
    } else if (next === QUESTION) {
      const close = xml.indexOf('?>', lt + 2);
      if (close === -1) return fail(lt, 'an unterminated processing instruction');
      i = close + 2;
    } else if (next === SLASH) {
      const open = stack[stack.length - 1];
      const gt = open ? lt + 2 + open.name.length : -1;
      if (open && xml.charCodeAt(gt) === GT && xml.startsWith(open.name, lt + 2)) {
        // Nearly every closing tag is exactly the expected one; it is checked without making a string.
        stack.pop();
        i = gt + 1;
        continue;
      }
      const nameFrom = lt + 2;
      const nameTo = nameEnd(xml, nameFrom);
      if (nameTo === nameFrom) return fail(lt, 'a malformed closing tag');
      const closing = xml.slice(nameFrom, nameTo);
      CLOSE_END.lastIndex = nameTo;
      if (!CLOSE_END.test(xml)) return fail(lt, `a malformed closing tag </${closing}`);
      if (!open || open.name !== closing)
        return fail(lt, open ? `</${closing}> where </${open.name}> was expected` : `</${closing}> closes nothing`);
      stack.pop();
      i = CLOSE_END.lastIndex;
    } else {
      const nameTo = nameEnd(xml, lt + 1);
      if (nameTo === lt + 1) return fail(lt, 'a stray "<" (write &lt;)');
      const name = xml.slice(lt + 1, nameTo);
      let attrs = NO_ATTRS;
      let p = nameTo;
      let selfClosing = false;
      const c = xml.charCodeAt(p);
      if (c === GT) p++;
      else if (c === SLASH && xml.charCodeAt(p + 1) === GT) {
        selfClosing = true;
        p += 2;
      } else {
        for (;;) {
          ATTR.lastIndex = p;
          const a = ATTR.exec(xml);
          if (!a) break;
          if (attrs === NO_ATTRS) attrs = Object.create(null) as Record<string, string>;
          (attrs as Record<string, string>)[a[1]!] = decodeAttr(a[2] ?? a[3]!);
          p = ATTR.lastIndex;
        }
        TAG_END.lastIndex = p;
        if (!TAG_END.test(xml)) return fail(lt, `a malformed tag <${name}`);
        p = TAG_END.lastIndex;
        // Only a quote, a name character, whitespace or `/` can come before that `>`.
        selfClosing = xml.charCodeAt(p - 2) === SLASH;
      }
      const parent = stack[stack.length - 1];
      if (!parent && root !== null) return fail(lt, 'more than one root element');
      const el: Building = { name, attrs, children: NO_CHILDREN, text: '', unexpanded: null };
      if (parent) {
        if (parent.children === NO_CHILDREN) parent.children = [el];
        else parent.children.push(el);
      } else root = el;
      if (!selfClosing) stack.push(el);
      i = p;
    }
  }
  if (stack.length > 0) {
    // A runaway file can leave thousands open; the first few say enough.
    const shown = stack.slice(0, UNCLOSED_SHOWN).map((t) => `<${t.name}>`);
    if (stack.length > UNCLOSED_SHOWN) shown.push(`… ${stack.length - UNCLOSED_SHOWN} more`);
    return { root: null, problem: `unclosed ${shown.join(', ')}` };
  }
  if (root === null) return { root: null, problem: 'no element' };
  return { root, problem: null, unexpanded };
}

/** Null when `xml` is well-formed; else what is wrong, in words. */
export function xmlProblem(xml: string): string | null {
  return parseXml(xml).problem;
}
