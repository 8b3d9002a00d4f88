import { useEffect, useRef, useState } from 'react';
import type { MatchChoice } from '../../../shared/api/enrich.ts';
import type { ItemDetail } from '../../../shared/api/library.ts';
import { useClient } from '../app/bridge.tsx';
import { ErrorMessage, Spinner, useAction } from '../components/ui.tsx';

/**
 * "Which movie is this?": TMDB search with the item's title and year (editable), best first.
 * Choosing one locks the match and enriches the item. Provider posters are not shown: the
 * window loads no remote images.
 */
export function MatchPanel({
  item,
  onDone,
  onCancel,
}: {
  item: ItemDetail;
  onDone: () => void;
  onCancel?: (() => void) | undefined;
}) {
  const client = useClient();
  const { run, busy } = useAction();
  const [query, setQuery] = useState(item.title);
  const [year, setYear] = useState(item.year ? String(item.year) : '');
  const [choices, setChoices] = useState<MatchChoice[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [searching, setSearching] = useState(false);

  const search = async () => {
    setSearching(true);
    setError(null);
    try {
      const y = Number(year);
      setChoices(
        await client.call('match-search', {
          itemId: item.id,
          query: query.trim() || undefined,
          year: year && Number.isInteger(y) ? y : undefined,
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setSearching(false);
    }
  };

  // The first search runs with what the scanner found, without waiting for a click.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void search();
  });

  return (
    <section className="card match" aria-label="Find the right movie">
      <div className="card-head">
        <div>
          <h2>Which movie is this?</h2>
          <p className="muted">{introOf(item.state, choices)}</p>
        </div>
        {onCancel && (
          <div className="card-actions">
            <button type="button" className="btn btn-ghost" onClick={onCancel}>
              Cancel
            </button>
          </div>
        )}
      </div>
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <input
          className="input"
          aria-label="Title to search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <input
          className="input input-num"
          aria-label="Year"
          placeholder="Year"
          inputMode="numeric"
          value={year}
          onChange={(e) => setYear(e.target.value.replace(/\D/g, '').slice(0, 4))}
        />
        <button type="submit" className="btn" disabled={searching}>
          Search
        </button>
      </form>
      {searching && <Spinner label="Searching TMDB" />}
      {!!error && <ErrorMessage error={error} onRetry={() => void search()} />}
      {choices && !searching && choices.length === 0 && (
        <p className="muted">No movie found. Try the original title, or without the year.</p>
      )}
      {choices && !searching && choices.length > 0 && (
        <ul className="choices">
          {choices.map((c) => (
            <li key={c.tmdbId}>
              <div className="choice-main">
                <strong>
                  {c.title} {c.year && <span className="muted">({c.year})</span>}
                </strong>
                {c.originalTitle && c.originalTitle !== c.title && (
                  <span className="muted small"> · {c.originalTitle}</span>
                )}
                {c.overview && <p className="choice-overview">{c.overview}</p>}
              </div>
              <span className="badge" title="How well title and year fit">
                {Math.round(c.confidence * 100)}% fit
              </span>
              <button
                type="button"
                className="btn btn-primary btn-small"
                disabled={busy !== null}
                onClick={() =>
                  void run(
                    'identify',
                    () => client.call('identify', { itemId: item.id, tmdbId: c.tmdbId }),
                    `Matched to ${c.title}`,
                  ).then((r) => r && onDone())
                }
              >
                {busy === 'identify' ? 'Matching…' : 'This one'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** What the panel says first; it must not promise choices the search did not find. */
function introOf(state: ItemDetail['state'], choices: readonly MatchChoice[] | null): string {
  if (state !== 'needs_match') return 'Search TMDB and pick the right movie; the choice is kept for good.';
  if (choices?.length === 0)
    return 'Nothing on TMDB fits the folder name. Search by another title; the choice is kept for good.';
  return 'Several movies fit the folder name. Pick the right one; the choice is kept for good.';
}
