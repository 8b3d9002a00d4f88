import { z } from 'zod';
import { ASSET_TYPES, type AssetType } from '../asset-types.ts';
import type { ScoreLine } from '../scoring.ts';
import { method, type MethodSpec } from './define.ts';

/** One item that could not be enriched, and why, in words a user can act on. */
export interface ItemProblem {
  itemId: number;
  reason: string;
}

/** What an enrichment run did. */
export interface EnrichSummary {
  /** Items identified, merged and given fresh candidates. */
  enriched: number;
  /** Items waiting for the user to pick the right movie (`match-search`, `identify`). */
  needsMatch: number;
  /** Items left as they were (retried later); nothing stored was lost. */
  failed: ItemProblem[];
  /** Enriched items where one provider failed (its candidates are kept from before). */
  warnings: ItemProblem[];
  /** Requests that went on the wire to provider APIs (cache hits excluded). */
  requests: number;
  durationMs: number;
}

/** A possible TMDB movie for an item, as the "needs match" view lists it. */
export interface MatchChoice {
  tmdbId: number;
  title: string;
  originalTitle: string | null;
  year: number | null;
  overview: string | null;
  /** A small poster (TMDB w342), when the movie has one. */
  posterUrl: string | null;
  /** 0–1: how well title and year fit the item. */
  confidence: number;
}

/** The outcome for one item. */
export interface ItemEnrichResult {
  itemId: number;
  state: 'enriched' | 'needs_match' | 'failed';
  tmdbId: number | null;
  title: string;
  year: number | null;
  /** Why it failed or needs a match. */
  reason: string | null;
  /**
   * It failed for a passing reason (the provider unreachable, slow or overloaded): another try
   * within minutes may well succeed, where other failures wait for the item's own retry time.
   */
  retrySoon?: boolean;
  /** Problems that did not stop enrichment (a provider that failed). */
  warnings: string[];
  candidates: { added: number; updated: number; gone: number };
}

/**
 * One candidate row as stored (tier 1), for scripts and the CLI. The picker's scored and grouped
 * view is `CandidateView` in artwork.ts.
 */
export interface CandidateRecord {
  id: number;
  type: AssetType;
  provider: string;
  providerImageId: string;
  url: string;
  previewUrl: string | null;
  width: number | null;
  height: number | null;
  /** null = no language (textless). */
  language: string | null;
  voteAverage: number | null;
  voteCount: number | null;
  likes: number | null;
  score: number | null;
  scoreBreakdown: ScoreLine[] | null;
  phash: string | null;
  clusterId: number | null;
  blocked: boolean;
  blobSha: string | null;
  previewSha: string | null;
  /** The provider no longer lists it (kept: a slot or the history may point at it). */
  gone: boolean;
}

const id = z.number().int().positive();

export const enrichMethods = {
  enrich: method<EnrichSummary>()({
    summary: 'Identify items on TMDB, merge their metadata (locked fields kept) and collect artwork candidates.',
    params: z
      .object({
        itemIds: z.array(id).max(100_000).optional(),
        all: z.boolean().optional(),
        /** Ask the providers again even when a cached answer is fresh. */
        force: z.boolean().optional(),
      })
      .strict()
      .refine((p) => (p.itemIds?.length ?? 0) > 0 || p.all === true, {
        message: 'Give itemIds or all: true',
        path: ['itemIds'],
      }),
  }),
  identify: method<ItemEnrichResult>()({
    summary: 'Match an item to a TMDB movie by hand; the match is locked and the item enriched.',
    params: z.object({ itemId: id, tmdbId: id }).strict(),
  }),
  'match-search': method<MatchChoice[]>()({
    summary: "Search TMDB for an item's movie (its own title and year unless given), best first.",
    params: z
      .object({
        itemId: id,
        query: z.string().trim().min(1).max(200).optional(),
        year: z.number().int().min(1870).max(2200).optional(),
      })
      .strict(),
  }),
  'candidates-list': method<CandidateRecord[]>()({
    summary: "An item's artwork candidates as stored, best score first.",
    params: z.object({ itemId: id, type: z.enum(ASSET_TYPES).optional() }).strict(),
  }),
} as const satisfies Record<string, MethodSpec>;
