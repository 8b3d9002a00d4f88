import type { CastMember, ItemFields, Rating } from '../../../shared/fields.ts';
import { tmdbProfileUrl } from '../providers/tmdb-images.ts';
import type { TmdbImageConfig, TmdbMovie } from '../providers/tmdb-schemas.ts';
import { yearOf } from './match-score.ts';

/** Actors kept per movie: enough for any NFO or skin, not the whole crowd. */
const MAX_CAST = 50;
/** TMDB release types, best source of a certification first: theatrical, limited, premiere, digital, disc, TV. */
const RELEASE_TYPE_ORDER = [3, 2, 1, 4, 5, 6];
const OUTLINE_MAX = 300;

/**
 * TMDB details as our metadata fields. A value TMDB does not have (or sent in a form we could not
 * read) is left undefined, so it is not written and whatever the item had stays. Sort title is
 * not a TMDB field and is never set here.
 */
export function movieFields(movie: TmdbMovie, config: TmdbImageConfig, options: { country: string }): ItemFields {
  const fields: ItemFields = {};
  if (movie.title) fields.title = movie.title;
  if (movie.original_title) fields.originalTitle = movie.original_title;
  const year = yearOf(movie.release_date);
  if (year !== null) fields.year = year;
  if (movie.release_date && /^\d{4}-\d{2}-\d{2}$/.test(movie.release_date)) fields.releaseDate = movie.release_date;
  if (movie.overview) {
    fields.plot = movie.overview;
    fields.outline = outlineOf(movie.overview);
  }
  if (movie.tagline) fields.tagline = movie.tagline;
  if (movie.runtime !== null && movie.runtime > 0) fields.runtime = Math.round(movie.runtime);
  if (movie.vote_average !== null && movie.vote_count !== null && movie.vote_count > 0) {
    const rating: Rating = {
      source: 'themoviedb',
      value: movie.vote_average,
      votes: Math.round(movie.vote_count),
      max: 10,
    };
    fields.ratings = [rating];
  }
  if (movie.genres) fields.genres = unique(movie.genres.map((g) => g.name));
  if (movie.production_companies) fields.studios = unique(movie.production_companies.map((c) => c.name));
  if (movie.production_countries) fields.countries = unique(movie.production_countries.map((c) => c.name));
  if (movie.belongs_to_collection) fields.collection = movie.belongs_to_collection.name;
  const credits = movie.credits;
  if (credits?.crew) {
    fields.directors = unique(credits.crew.filter((c) => c.job === 'Director').map((c) => c.name));
    fields.writers = unique(credits.crew.filter((c) => c.department === 'Writing').map((c) => c.name));
  }
  if (credits?.cast) {
    fields.cast = [...credits.cast]
      .sort((a, b) => (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER))
      .slice(0, MAX_CAST)
      .map((c, i): CastMember => ({
        name: c.name,
        role: c.character ?? '',
        order: i,
        profileUrl: tmdbProfileUrl(config, c.profile_path),
        tmdbId: c.id ?? null,
      }));
  }
  const certification = certificationOf(movie, options.country);
  if (certification) fields.certification = certification;
  return fields;
}

/** The IMDb id from details or from external_ids. */
export function imdbIdOf(movie: TmdbMovie): string | null {
  const id = movie.imdb_id ?? movie.external_ids?.imdb_id ?? null;
  return id && /^tt\d+$/.test(id) ? id : null;
}

/** The certification for the user's country, else the US one; theatrical releases first. */
export function certificationOf(movie: TmdbMovie, country: string): string | null {
  const results = movie.release_dates?.results ?? [];
  for (const wanted of unique([country.toUpperCase(), 'US'])) {
    const entry = results.find((r) => r.iso_3166_1.toUpperCase() === wanted);
    const dates = (entry?.release_dates ?? []).filter((d) => d.certification);
    dates.sort((a, b) => rank(a.type) - rank(b.type));
    if (dates[0]?.certification) return dates[0].certification;
  }
  return null;
}

/** The user's country: the region of their first language that has one ("fr-CA" → CA), else US. */
export function countryOf(languages: readonly string[]): string {
  for (const l of languages) {
    const region = l.split('-')[1];
    if (region) return region.toUpperCase();
  }
  return 'US';
}

/** A short outline: the plot's first sentence (TMDB has no separate outline). */
export function outlineOf(plot: string): string {
  const first = /^(.+?[.!?])(\s|$)/s.exec(plot)?.[1] ?? plot;
  return first.length <= OUTLINE_MAX ? first : `${first.slice(0, OUTLINE_MAX - 1).trimEnd()}…`;
}

function rank(type: number | null): number {
  const i = RELEASE_TYPE_ORDER.indexOf(type ?? -1);
  return i === -1 ? RELEASE_TYPE_ORDER.length : i;
}

function unique(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
}
