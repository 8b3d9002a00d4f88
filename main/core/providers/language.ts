/**
 * Provider spellings of "this image has no language": TMDB used null, then "" and (since late
 * 2025) "xx"; Fanart.tv uses "00" and "". All of them mean textless to us.
 */
const NO_LANGUAGE: ReadonlySet<string> = new Set(['', 'xx', '00', 'null', 'none', 'zxx']);

/** A provider's language tag as a lower-case ISO 639 code, or null for "no language". */
export function normalizeLanguage(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const code = raw.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (NO_LANGUAGE.has(code)) return null;
  return /^[a-z]{2,3}$/.test(code) ? code : null;
}

/** A provider's region tag (TMDB `iso_3166_1`), upper-case, or null ("XX" and blanks mean none). */
export function normalizeRegion(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const code = raw.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && code !== 'XX' ? code : null;
}
