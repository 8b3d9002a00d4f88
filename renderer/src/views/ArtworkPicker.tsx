import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type {
  ArtworkTypeView,
  CandidateView,
  ClusterView,
  ItemArtwork,
  SlotView,
} from '../../../shared/api/artwork.ts';
import { ApiError, isApiErrorShape } from '../../../shared/api/errors.ts';
import { ASSET_TYPE_SPECS, type AssetType } from '../../../shared/asset-types.ts';
import { SCORE_MAX } from '../../../shared/scoring.ts';
import { useBridge, useClient } from '../app/bridge.tsx';
import { Img } from '../components/Img.tsx';
import { Modal } from '../components/Modal.tsx';
import { useAction } from '../components/ui.tsx';
import { formatDimensions, formatLanguage, pluralize } from '../lib/format.ts';
import { LockIcon } from './LibraryView.tsx';

const PROVIDER_NAMES: Record<string, string> = {
  tmdb: 'TMDB',
  fanart: 'Fanart.tv',
  upload: 'Your file',
  original: 'Library',
};
const providerName = (p: string | null | undefined) => (p ? (PROVIDER_NAMES[p] ?? p) : '');

const CHOSEN_BY: Record<SlotView['chosenBy'], string> = {
  user: 'Chosen by you',
  auto: 'Chosen automatically',
  original: 'Was in the library',
};

type SortMode = 'size' | 'score';

interface Preview {
  title: string;
  sha: string;
  note: string;
}

/**
 * Per artwork type: what is chosen now and every candidate to choose from, look-alikes
 * collapsed. Clicking a candidate chooses it (and locks the choice); L locks or unlocks; blocked
 * candidates hide behind a toggle; a local image can be dropped in.
 */
export function ArtworkPicker({
  itemId,
  artwork,
  onChanged,
  fetchingPreviews = false,
}: {
  itemId: number;
  artwork: ItemArtwork;
  onChanged: () => void;
  fetchingPreviews?: boolean;
}) {
  const firstWithChoices = artwork.types.find((t) => t.clusters.length > 0)?.type ?? artwork.types[0]?.type ?? 'poster';
  const [type, setType] = useState<AssetType>(firstWithChoices);
  const current = artwork.types.find((t) => t.type === type) ?? artwork.types[0];
  return (
    <div className="picker">
      <div className="type-rail" role="tablist" aria-label="Artwork types" aria-orientation="vertical">
        {artwork.types.map((t) => (
          <TypeTab key={t.type} view={t} selected={t.type === current?.type} onSelect={() => setType(t.type)} />
        ))}
      </div>
      {current ? (
        <TypePanel
          key={current.type}
          itemId={itemId}
          view={current}
          onChanged={onChanged}
          fetchingPreviews={fetchingPreviews}
        />
      ) : (
        <p className="muted">No artwork types.</p>
      )}
    </div>
  );
}

function TypeTab({ view, selected, onSelect }: { view: ArtworkTypeView; selected: boolean; onSelect: () => void }) {
  const bridge = useBridge();
  const slot = view.slots.find((s) => s.rank === 0) ?? null;
  const spec = ASSET_TYPE_SPECS[view.type];
  const locked = view.slots.some((s) => s.locked);
  return (
    <button
      type="button"
      role="tab"
      aria-selected={selected}
      className={`type-tab ${selected ? 'type-tab-on' : ''}`}
      onClick={onSelect}
      aria-label={`${view.label}: ${slot ? 'chosen' : 'nothing chosen'}, ${pluralize(view.clusters.length, 'choice')}${locked ? ', locked' : ''}`}
    >
      <span
        className={`type-thumb ${spec.transparent ? 'checker' : ''}`}
        style={{ aspectRatio: String(Math.max(0.6, Math.min(spec.aspect, 2.2))) }}
      >
        {slot?.blobSha ? (
          <Img src={bridge.imageUrl(slot.blobSha, 'thumb')} alt="" fit={spec.transparent ? 'contain' : 'cover'} />
        ) : (
          <span className="type-none">—</span>
        )}
      </span>
      <span className="type-text">
        <span className="type-label">{view.label}</span>
        <span className="muted small">
          {view.clusters.length ? pluralize(view.clusters.length, 'choice') : 'none found'}
        </span>
      </span>
      {locked && (
        <span className="type-lock" title="Locked">
          <LockIcon />
        </span>
      )}
    </button>
  );
}

function TypePanel({
  itemId,
  view,
  onChanged,
  fetchingPreviews,
}: {
  itemId: number;
  view: ArtworkTypeView;
  onChanged: () => void;
  fetchingPreviews: boolean;
}) {
  const client = useClient();
  const bridge = useBridge();
  const { run, busy } = useAction();
  const spec = ASSET_TYPE_SPECS[view.type];
  // Best score first: the order auto-select goes by, so its pick and the likely best ones lead.
  const [sort, setSort] = useState<SortMode>('score');
  const [showBlocked, setShowBlocked] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [active, setActive] = useState(0);
  const [dragging, setDragging] = useState(false);
  const tiles = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const blockedCount = view.clusters.filter((c) => c.best.blocked).length;
  const clusters = useMemo(() => {
    const shown = view.clusters.filter((c) => showBlocked || !c.best.blocked);
    const area = (c: CandidateView) => (c.width ?? 0) * (c.height ?? 0);
    return sort === 'size'
      ? [...shown].sort((a, b) => area(b.best) - area(a.best) || b.best.score - a.best.score)
      : shown;
  }, [view.clusters, showBlocked, sort]);
  const locked = view.slots.some((s) => s.locked);
  const slots = [...view.slots].sort((a, b) => a.rank - b.rank);

  useEffect(() => {
    if (active >= clusters.length) setActive(Math.max(0, clusters.length - 1));
  }, [clusters.length, active]);
  // A tile blocked from the keyboard leaves the grid (blocked ones are hidden), taking the focus
  // with it: the tile now in its place takes it, so the keys go on working.
  const refocus = useRef(false);
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    const at = Math.max(0, Math.min(active, clusters.length - 1));
    (tiles.current?.children[at] as HTMLElement | undefined)?.focus();
  }, [clusters, active]);

  const choose = (candidate: CandidateView, rank?: number) =>
    void run(
      'choose',
      () =>
        client.call(
          'artwork-select',
          rank === undefined
            ? { itemId, type: view.type, candidateId: candidate.id }
            : { itemId, type: view.type, candidateId: candidate.id, rank },
        ),
      (r) =>
        r.downloadError
          ? `Chosen and locked; the download failed and will be retried (${r.downloadError})`
          : `${view.label} chosen and locked`,
    ).then(onChanged);
  const toggleLock = () =>
    void run(
      'lock',
      () => client.call(locked ? 'artwork-unlock' : 'artwork-lock', { itemId, type: view.type }),
      // A click choice is already locked, so L on it unlocks: say what that costs, since the next
      // auto-select may then replace the user's own pick.
      locked
        ? `Unlocked: auto-select may now replace this ${view.label.toLowerCase()}`
        : `${view.label} locked: auto-select keeps it`,
    ).then(onChanged);
  const toggleBlock = (c: CandidateView) =>
    void run(
      'block',
      () => client.call(c.blocked ? 'candidate-unblock' : 'candidate-block', { candidateId: c.id }),
      c.blocked ? 'Unblocked' : 'Blocked: auto-select will never choose it',
    ).then(onChanged);

  const importFile = async (file: File) => {
    await run(
      'upload',
      async () => {
        const localPath = bridge.pathForFile(file);
        if (localPath) return client.call('cache-import', { itemId, type: view.type, file: localPath });
        if (!bridge.http) throw new ApiError('bad_request', 'This file cannot be read here');
        const url = `${bridge.http.baseUrl}/upload?itemId=${itemId}&type=${view.type}&name=${encodeURIComponent(file.name)}`;
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${bridge.http.token}`, 'content-type': 'application/octet-stream' },
          body: file,
        });
        const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
        if (!res.ok)
          throw isApiErrorShape(body?.error)
            ? ApiError.from(body.error)
            : new ApiError('internal', `Upload failed (HTTP ${res.status})`);
        return body;
      },
      `${file.name} is now the ${view.label.toLowerCase()} (locked)`,
    );
    onChanged();
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void importFile(file);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const count = clusters.length;
    if (count === 0) return;
    const columns = columnsOf(tiles.current);
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowRight':
        next = active + 1;
        break;
      case 'ArrowLeft':
        next = active - 1;
        break;
      case 'ArrowDown':
        next = active + columns;
        break;
      case 'ArrowUp':
        next = active - columns;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter':
        e.preventDefault();
        if (clusters[active]) choose(clusters[active]!.best);
        return;
      case ' ':
        e.preventDefault();
        if (clusters[active]) setPreview(previewOf(clusters[active]!.best, view.label));
        return;
      case 'l':
      case 'L':
        e.preventDefault();
        toggleLock();
        return;
      case 'b':
      case 'B':
        e.preventDefault();
        if (clusters[active]) {
          refocus.current = true;
          toggleBlock(clusters[active]!.best);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    const clamped = Math.max(0, Math.min(count - 1, next));
    setActive(clamped);
    (tiles.current?.children[clamped] as HTMLElement | undefined)?.focus();
  };

  return (
    <section
      className={`type-panel ${dragging ? 'is-dragging' : ''}`}
      aria-label={`${view.label} artwork`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <div className="type-head">
        <div className="type-title">
          <h2>{view.label}</h2>
          <p className="muted small">
            Ideal {spec.ideal.width}×{spec.ideal.height} ·{' '}
            {spec.language === 'textless' ? 'no text preferred' : 'your languages first'} · keeps {view.count}
          </p>
        </div>
        <button
          type="button"
          className={`btn ${locked ? 'btn-on' : ''}`}
          aria-pressed={locked}
          onClick={toggleLock}
          disabled={busy !== null || slots.length === 0}
          title={locked ? 'Unlock: auto-select may then replace it (L)' : 'Lock: auto-select keeps it (L)'}
        >
          <LockIcon open={!locked} /> {locked ? 'Locked' : 'Lock'}
        </button>
        <button type="button" className="btn" onClick={() => fileInput.current?.click()} disabled={busy !== null}>
          {busy === 'upload' ? 'Importing…' : 'Use my own image…'}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importFile(file);
            e.target.value = '';
          }}
        />
      </div>

      <div className="current">
        {slots.length === 0 && (
          <p className="muted current-empty">Nothing chosen yet. Click an image below, or drop one here.</p>
        )}
        {slots.map((slot) => (
          <CurrentSlot
            key={slot.rank}
            slot={slot}
            label={view.label}
            transparent={spec.transparent}
            aspect={spec.aspect}
            onPreview={setPreview}
          />
        ))}
      </div>

      <div className="tiles-head">
        <h3>{clusters.length ? `${pluralize(clusters.length, 'choice')}` : 'No choices'}</h3>
        {fetchingPreviews ? (
          <span className="muted small" role="status">
            Fetching previews…
          </span>
        ) : (
          <span className="muted small">
            Click to choose (and lock) · Enter chooses · L locks or unlocks · B blocks · Space previews
          </span>
        )}
        <span className="spacer" />
        {blockedCount > 0 && (
          <button
            type="button"
            className="chip"
            aria-pressed={showBlocked}
            onClick={() => setShowBlocked(!showBlocked)}
          >
            Show blocked <span className="chip-count">{blockedCount}</span>
          </button>
        )}
        <div className="segmented" role="group" aria-label="Order">
          <button
            type="button"
            aria-pressed={sort === 'size'}
            className={sort === 'size' ? 'seg-on' : ''}
            onClick={() => setSort('size')}
          >
            Largest
          </button>
          <button
            type="button"
            aria-pressed={sort === 'score'}
            className={sort === 'score' ? 'seg-on' : ''}
            onClick={() => setSort('score')}
          >
            Best score
          </button>
        </div>
      </div>

      {clusters.length === 0 ? (
        <div className="drop-hint">
          {view.clusters.length === 0
            ? 'No images of this type were found. Find artwork again later, or drop your own image here.'
            : 'Every choice is blocked.'}
        </div>
      ) : (
        <div
          ref={tiles}
          className="tiles"
          role="listbox"
          aria-label={`${view.label} choices`}
          onKeyDown={onKeyDown}
          style={{ ['--tile-aspect' as string]: String(spec.aspect) }}
        >
          {clusters.map((cluster, i) => (
            <Tile
              key={cluster.id}
              cluster={cluster}
              index={i}
              active={i === active}
              transparent={spec.transparent}
              busy={busy !== null}
              onFocus={() => setActive(i)}
              onChoose={choose}
              onBlock={toggleBlock}
              onPreview={(c) => setPreview(previewOf(c, view.label))}
            />
          ))}
        </div>
      )}
      {dragging && <div className="drop-overlay">Drop to use this image as the {view.label.toLowerCase()}</div>}
      {preview && (
        <Modal title={preview.title} onClose={() => setPreview(null)} wide>
          <div className={`preview-frame ${spec.transparent ? 'checker' : ''}`}>
            <Img src={bridge.imageUrl(preview.sha, 'full')} alt={preview.title} fit="contain" />
          </div>
          <p className="muted small">{preview.note}</p>
        </Modal>
      )}
    </section>
  );
}

function previewOf(c: CandidateView, label: string): Preview | null {
  const sha = c.blobSha ?? c.previewSha;
  if (!sha) return null;
  return {
    title: `${label} · ${providerName(c.provider)} · ${formatDimensions(c.width, c.height)}`,
    sha,
    note: c.blobSha ? 'The full image, from the cache.' : 'A preview: the full image is downloaded when you choose it.',
  };
}

function CurrentSlot({
  slot,
  label,
  transparent,
  aspect,
  onPreview,
}: {
  slot: SlotView;
  label: string;
  transparent: boolean;
  aspect: number;
  onPreview: (p: Preview) => void;
}) {
  const bridge = useBridge();
  return (
    <figure className="slot">
      <button
        type="button"
        className={`slot-image ${transparent ? 'checker' : ''}`}
        style={{ aspectRatio: String(aspect) }}
        disabled={!slot.blobSha}
        aria-label={`${label}${slot.rank ? ` ${slot.rank + 1}` : ''}: preview full size`}
        onClick={() =>
          slot.blobSha && onPreview({ title: `${label} (chosen)`, sha: slot.blobSha, note: CHOSEN_BY[slot.chosenBy] })
        }
      >
        <Img
          src={slot.blobSha ? bridge.imageUrl(slot.blobSha, 'thumb') : null}
          alt={`Chosen ${label}`}
          label={slot.downloaded ? undefined : 'Downloading…'}
          fit={transparent ? 'contain' : 'cover'}
        />
      </button>
      <figcaption>
        <span className="slot-by">
          {slot.locked && <LockIcon />} {CHOSEN_BY[slot.chosenBy]}
          {slot.rank > 0 && <span className="muted"> · extra {slot.rank}</span>}
        </span>
        <span className="muted small">
          {formatDimensions(slot.width, slot.height)}
          {slot.provider ? ` · ${providerName(slot.provider)}` : ''}
          {!slot.downloaded && ' · not downloaded yet'}
        </span>
      </figcaption>
    </figure>
  );
}

function scoreClass(score: number): string {
  return score >= 75 ? 'score-high' : score >= 50 ? 'score-mid' : 'score-low';
}

function Tile({
  cluster,
  index,
  active,
  transparent,
  busy,
  onFocus,
  onChoose,
  onBlock,
  onPreview,
}: {
  cluster: ClusterView;
  index: number;
  active: boolean;
  transparent: boolean;
  busy: boolean;
  onFocus: () => void;
  onChoose: (c: CandidateView, rank?: number) => void;
  onBlock: (c: CandidateView) => void;
  onPreview: (c: CandidateView) => void;
}) {
  const bridge = useBridge();
  const [flip, setFlip] = useState(false);
  const c = cluster.best;
  const chosen = cluster.selectedRanks.length > 0;
  const alsoOn = [...new Set(cluster.alsoOn.map((m) => providerName(m.provider)))].filter(
    (p) => p !== providerName(c.provider),
  );
  const score = Math.round(c.score);
  const label = [
    `${formatDimensions(c.width, c.height)}`,
    formatLanguage(c.language),
    providerName(c.provider),
    `score ${score}`,
    chosen ? 'chosen' : '',
    c.blocked ? 'blocked' : '',
    c.belowMinimum ? 'smaller than the minimum' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div
      role="option"
      aria-selected={chosen}
      aria-label={label}
      tabIndex={active ? 0 : -1}
      className={`tile ${chosen ? 'is-chosen' : ''} ${c.blocked ? 'is-blocked' : ''} ${active ? 'is-active' : ''} ${flip ? 'pop-left' : ''}`}
      data-index={index}
      data-candidate-id={c.id}
      onFocus={onFocus}
      onMouseEnter={(e) => {
        // The breakdown opens towards the side with room.
        const rect = e.currentTarget.getBoundingClientRect();
        setFlip(rect.left + BREAKDOWN_WIDTH > window.innerWidth - 16);
      }}
      onClick={() => !busy && onChoose(c)}
    >
      <div className={`tile-image ${transparent ? 'checker' : ''}`}>
        <Img
          src={c.previewSha ? bridge.imageUrl(c.previewSha, 'thumb') : null}
          alt=""
          label={c.previewSha ? undefined : 'No preview'}
          fit={transparent ? 'contain' : 'cover'}
        />
        <span className={`score ${scoreClass(score)}`}>{score}</span>
        {chosen && (
          <span className="tile-chosen" aria-hidden="true">
            ✓
          </span>
        )}
        {c.blocked && <span className="tile-blocked">Blocked</span>}
        <div className="tile-tools">
          <button
            type="button"
            className="tool"
            aria-label="Preview full size"
            title="Preview (Space)"
            onClick={(e) => {
              e.stopPropagation();
              onPreview(c);
            }}
          >
            <Icon d={ICONS.expand} />
          </button>
          <button
            type="button"
            className="tool"
            aria-label={c.blocked ? 'Unblock' : 'Block: never choose automatically'}
            title={c.blocked ? 'Unblock (B)' : 'Block (B)'}
            onClick={(e) => {
              e.stopPropagation();
              onBlock(c);
            }}
          >
            <Icon d={c.blocked ? ICONS.undo : ICONS.block} />
          </button>
        </div>
      </div>
      <Breakdown candidate={c} cluster={cluster} onChoose={onChoose} />
      <div className="tile-info">
        <span className="tile-size">{formatDimensions(c.width, c.height)}</span>
        <span className="muted">{formatLanguage(c.language)}</span>
      </div>
      <div className="tile-info muted small">
        <span>{providerName(c.provider)}</span>
        {alsoOn.length > 0 && <span className="also">also on {alsoOn.join(', ')}</span>}
        {c.belowMinimum && <span className="badge badge-warn">Small</span>}
        {cluster.matchesOriginal && <span className="badge">In library</span>}
      </div>
    </div>
  );
}

const BREAKDOWN_WIDTH = 300;

const ICONS = {
  expand: 'M4 4h6v2H7.4l3.3 3.3-1.4 1.4L6 7.4V10H4V4Zm16 16h-6v-2h2.6l-3.3-3.3 1.4-1.4 3.3 3.3V14h2v6Z',
  block:
    'M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18Zm-5.3 4.7A7 7 0 0 0 16.3 17.3L6.7 7.7ZM12 5a7 7 0 0 0-3.9 1.2l9.7 9.7A7 7 0 0 0 12 5Z',
  undo: 'M12 5a7 7 0 1 1-6.6 9.3l1.9-.6A5 5 0 1 0 8.5 8.4L11 11H4V4l3.1 3.1A7 7 0 0 1 12 5Z',
};

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
      <path d={d} fill="currentColor" />
    </svg>
  );
}

/** The score's reasons, shown on hover or focus: one bar per factor. */
function Breakdown({
  candidate,
  cluster,
  onChoose,
}: {
  candidate: CandidateView;
  cluster: ClusterView;
  onChoose: (c: CandidateView) => void;
}) {
  return (
    <div className="breakdown" role="tooltip">
      <div className="breakdown-total">
        Score <strong>{Math.round(candidate.score)}</strong> / 100
      </div>
      <ul>
        {candidate.breakdown.map((line) => {
          const max = line.max || SCORE_MAX[line.factor] || 1;
          const pct = Math.max(0, Math.min(100, (line.points / max) * 100));
          return (
            <li key={line.factor}>
              <span className="bd-factor">{line.factor}</span>
              <span className="bd-bar">
                <span
                  className={line.points < 0 ? 'bd-neg' : ''}
                  style={{ width: `${line.points < 0 ? 100 : pct}%` }}
                />
              </span>
              <span className="bd-points">
                {line.points > 0 ? '+' : ''}
                {Math.round(line.points * 10) / 10}
              </span>
              <span className="bd-reason">{line.reason}</span>
            </li>
          );
        })}
      </ul>
      {cluster.alsoOn.length > 0 && (
        <div className="bd-also">
          <div className="muted small">The same picture elsewhere:</div>
          {cluster.alsoOn.map((m) => (
            <button
              key={m.id}
              type="button"
              className="btn btn-small btn-ghost"
              onClick={(e) => {
                e.stopPropagation();
                onChoose(m);
              }}
            >
              {providerName(m.provider)} · {formatDimensions(m.width, m.height)} · choose this copy
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** Tiles per row, read from the layout (the grid wraps to the panel's width). */
function columnsOf(container: HTMLElement | null): number {
  if (!container || container.children.length === 0) return 1;
  const top = (container.children[0] as HTMLElement).offsetTop;
  let n = 0;
  for (const child of Array.from(container.children)) {
    if ((child as HTMLElement).offsetTop !== top) break;
    n++;
  }
  return Math.max(1, n);
}
