/**
 * The metadata fields an item carries, as one whitelist. Field edits and locks accept only these
 * names, so a field name from outside never reaches SQL or the NFO writer unchecked.
 */
export const FIELD_DEFS = {
  title: { label: 'Title', kind: 'text' },
  originalTitle: { label: 'Original title', kind: 'text' },
  sortTitle: { label: 'Sort title', kind: 'text' },
  year: { label: 'Year', kind: 'number' },
  releaseDate: { label: 'Release date', kind: 'text' },
  plot: { label: 'Plot', kind: 'longtext' },
  outline: { label: 'Outline', kind: 'longtext' },
  tagline: { label: 'Tagline', kind: 'text' },
  runtime: { label: 'Runtime (minutes)', kind: 'number' },
  certification: { label: 'Certification', kind: 'text' },
  ratings: { label: 'Ratings', kind: 'ratings' },
  genres: { label: 'Genres', kind: 'list' },
  studios: { label: 'Studios', kind: 'list' },
  countries: { label: 'Countries', kind: 'list' },
  directors: { label: 'Directors', kind: 'list' },
  writers: { label: 'Writers', kind: 'list' },
  cast: { label: 'Cast', kind: 'cast' },
  collection: { label: 'Collection', kind: 'text' },
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
