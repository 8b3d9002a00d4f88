/**
 * Text as a search compares it: without accents or case, so "amelie" finds "Amélie" and
 * "zoe" finds "Zoë". SQLite's `like` folds ASCII case only; this is registered as the SQL
 * function `search_fold` and applied to both sides.
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().replace(LETTERS, (c) => SPELLED_OUT[c]!);
}

export const SEARCH_FOLD_SQL = 'search_fold';

const COMBINING_MARKS = /\p{M}/gu;
/** Letters that are not a base letter plus a mark, so NFD leaves them alone. */
const SPELLED_OUT: Readonly<Record<string, string>> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};
const LETTERS = new RegExp(`[${Object.keys(SPELLED_OUT).join('')}]`, 'g');
