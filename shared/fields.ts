/**
 * The metadata fields an item carries, as one whitelist. Field edits and locks accept only these
 * names, so a field name from outside never reaches SQL or the NFO writer unchecked.
 *
 * `fromNfo` says what a provider may do to a value read from the user's own NFO: `fill` only an
 * empty field (what the user wrote there stays, as players treat local NFO data), `refresh` replace
 * it (ratings and vote counts go stale; TMDB's cast brings the actor pictures).
 */
export const FIELD_DEFS = {
  title: { label: 'Title', kind: 'text', fromNfo: 'fill' },
  originalTitle: { label: 'Original title', kind: 'text', fromNfo: 'fill' },
  sortTitle: { label: 'Sort title', kind: 'text', fromNfo: 'fill' },
  year: { label: 'Year', kind: 'number', fromNfo: 'fill' },
  releaseDate: { label: 'Release date', kind: 'text', fromNfo: 'fill' },
  plot: { label: 'Plot', kind: 'longtext', fromNfo: 'fill' },
  outline: { label: 'Outline', kind: 'longtext', fromNfo: 'fill' },
  tagline: { label: 'Tagline', kind: 'text', fromNfo: 'fill' },
  runtime: { label: 'Runtime (minutes)', kind: 'number', fromNfo: 'fill' },
  certification: { label: 'Certification', kind: 'text', fromNfo: 'fill' },
  ratings: { label: 'Ratings', kind: 'ratings', fromNfo: 'refresh' },
  genres: { label: 'Genres', kind: 'list', fromNfo: 'fill' },
  studios: { label: 'Studios', kind: 'list', fromNfo: 'fill' },
  countries: { label: 'Countries', kind: 'list', fromNfo: 'fill' },
  directors: { label: 'Directors', kind: 'list', fromNfo: 'fill' },
  writers: { label: 'Writers', kind: 'list', fromNfo: 'fill' },
  cast: { label: 'Cast', kind: 'cast', fromNfo: 'refresh' },
  collection: { label: 'Collection', kind: 'text', fromNfo: 'fill' },
} as const;

export type FieldName = keyof typeof FIELD_DEFS;
export type FieldKind = (typeof FIELD_DEFS)[FieldName]['kind'];

export const FIELD_NAMES = Object.keys(FIELD_DEFS) as FieldName[];

export interface Rating {
  source: string;
  value: number;
  votes: number;
  max: number;
}

export interface CastMember {
  name: string;
  role: string;
  order: number;
  /** Provider URL of the profile picture, when known. */
  profileUrl: string | null;
  tmdbId: number | null;
}

/** The value type each field kind holds. */
export interface FieldValueByKind {
  text: string;
  longtext: string;
  number: number;
  list: string[];
  ratings: Rating[];
  cast: CastMember[];
}

export type FieldValue<F extends FieldName> = FieldValueByKind[(typeof FIELD_DEFS)[F]['kind']];

export type ItemFields = { [F in FieldName]?: FieldValue<F> };

export function isFieldName(value: string): value is FieldName {
  return Object.hasOwn(FIELD_DEFS, value);
}
