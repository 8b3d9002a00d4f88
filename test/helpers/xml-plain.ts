import type { XmlElement } from '../../main/core/library/xml-tree.ts';

/** An element as plain data, to compare XML trees regardless of how they were written. */
export interface Plain {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Plain[];
}

export const plain = (el: XmlElement): Plain => ({
  name: el.name,
  attrs: { ...el.attrs },
  text: el.text.trim(),
  children: el.children.map(plain),
});
