import type { AssetType } from '../../../shared/asset-types.ts';
import type { ProviderId } from '../../../shared/settings.ts';

/** The movie a provider is asked about. */
export interface MovieRef {
  /** null when TMDB could not be asked (a provider may still know the IMDb id). */
  tmdbId: number | null;
  imdbId: string | null;
}

/** One image a provider offers, normalised: no provider quirk survives past this shape. */
export interface ProviderCandidate {
  assetType: AssetType;
  provider: ProviderId;
  /** The provider's own stable id for the image (TMDB file path, Fanart.tv image id). */
  providerImageId: string;
  /** Full-size image. */
  url: string;
  /** A small rendition for hashing and the picker. */
  previewUrl: string | null;
  width: number | null;
  height: number | null;
  /** ISO 639 code; null = no language (textless). */
  language: string | null;
  voteAverage: number | null;
  voteCount: number | null;
  likes: number | null;
  /** Provider details worth keeping (disc type, region, HD/SD key…), stored as JSON. */
  extra: Record<string, unknown>;
}

export interface FetchOptions {
  signal?: AbortSignal;
  /** Ask again even when a cached answer is fresh (once per run, see JsonRequestOptions.freshAfter). */
  freshAfter?: number;
}

/** What a provider found for a movie. */
export interface CandidateBatch {
  candidates: ProviderCandidate[];
  /**
   * The answer was whole. Parts that did not parse are left out and listed in `problems`; a
   * batch that is not complete must not mark missing candidates as gone.
   */
  complete: boolean;
  problems: string[];
}

/**
 * An artwork source (CONVENTIONS rule 6). It resolves ids, fixes its quirks at the edge and
 * returns normalised candidates. Errors are `ProviderError`s; the orchestrator logs them and
 * carries on with the other providers.
 */
export interface ArtProvider {
  id: ProviderId;
  label: string;
  /** Whether it can be asked at all (key configured, ids it needs present). */
  supports(ref: MovieRef): boolean;
  fetchCandidates(ref: MovieRef, options: FetchOptions): Promise<CandidateBatch>;
}
