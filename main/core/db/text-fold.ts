/**
 * Text as a search compares it: without accents or case, so "amelie" finds "Amélie" and
 * "zoe" finds "Zoë". SQLite's `like` folds ASCII case only; this is registered as the SQL
 * function `search_fold` and applied to both sides.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(LETTERS, (c) => SPELLED_OUT[c]!);
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

/**
 * The key a title sorts by, as media players order a shelf: accents and case ignored, a leading
 * English article set aside ("The Matrix" under M), and numbers in order of their value
 * ("Film 2" before "Film 10"). Registered as the SQL function `title_order`.
 */
export function titleOrderKey(title: string): string {
  const folded = foldForSearch(title).trim();
  const bare = folded.replace(LEADING_ARTICLE, '');
  // Digit runs are padded to one width, so comparing text compares their values.
  return (bare || folded).replace(DIGIT_RUN, (digits) => digits.replace(/^0+(?=\d)/, '').padStart(NUMBER_WIDTH, '0'));
}

export const TITLE_ORDER_SQL = 'title_order';

const LEADING_ARTICLE = /^(?:the|an?)\s+/;
const DIGIT_RUN = /\d+/g;
/** Wider than any year, volume or part number; longer runs still sort among themselves by text. */
const NUMBER_WIDTH = 12;
