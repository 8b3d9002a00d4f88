import { useRef, useState, type ReactNode } from 'react';
import type {
  CacheGcResult,
  CacheVerifyResult,
  DownloadInfo,
  RecycleEntry,
  RecyclePurgeResult,
} from '../../../shared/api/cache.ts';
import { ASSET_TYPE_SPECS, isAssetType } from '../../../shared/asset-types.ts';
import { extensionOf, isImageFileName } from '../../../shared/naming.ts';
import { useApi, useClient, useEngineEvents } from '../app/bridge.tsx';
import { Modal } from '../components/Modal.tsx';
import { ErrorMessage, Spinner, Switch, useAction, useToast } from '../components/ui.tsx';
import { errorText, formatBytes, formatRelative, pluralize } from '../lib/format.ts';
import { Card } from './SettingsView.tsx';

/**
 * Settings → Storage: what the image cache holds on disk, downloads that failed, checking and
 * cleaning the cache, and the recycle bin where replaced library files wait to be restored.
 */
export function StoragePanel() {
  const status = useApi('status', {}, []);
  const failed = useApi('cache-downloads', { state: 'failed', limit: 100 }, []);
  const recycle = useApi('recycle-list', {}, []);
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadAll = () => {
    status.reload();
    failed.reload();
    recycle.reload();
  };
  // Downloads, clean-ups and publishing change these numbers: follow finished jobs, calmly.
  useEngineEvents((e) => {
    if (e.type !== 'job' || e.job.state === 'running' || e.job.state === 'queued') return;
    if (refresh.current) return;
    refresh.current = setTimeout(() => {
      refresh.current = null;
      reloadAll();
    }, 1000);
  });

  return (
    <>
      <UsageCard status={status} />
      <DownloadsCard status={status} failed={failed} onChanged={reloadAll} />
      <VerifyCard onChanged={reloadAll} />
      <CleanupCard onChanged={reloadAll} />
      <RecycleCard recycle={recycle} onChanged={reloadAll} />
    </>
  );
}

type Loaded<T> = { data: T | undefined; error: Error | null; reload(): void };
type Status = NonNullable<ReturnType<typeof useApi<'status'>>['data']>;

/** The name of a cache usage group from `status` (asset types, previews, unused images). */
function groupLabel(key: string): string {
  if (key === 'previews') return 'Previews (small copies shown while choosing)';
  if (key === 'unassigned') return 'Not used by any movie';
  return isAssetType(key) ? ASSET_TYPE_SPECS[key].label : key;
}

function groupOrder(key: string): number {
  if (key === 'previews') return 2;
  if (key === 'unassigned') return 1;
  return 0;
}

function UsageCard({ status }: { status: Loaded<Status> }) {
  const s = status.data;
  const groups = s
    ? Object.entries(s.cache.byType).sort(
        ([a, x], [b, y]) => groupOrder(a) - groupOrder(b) || y.bytes - x.bytes || a.localeCompare(b),
      )
    : [];
  const total = groups.reduce((n, [, g]) => ({ files: n.files + g.files, bytes: n.bytes + g.bytes }), {
    files: 0,
    bytes: 0,
  });
  return (
    <Card
      title="Disk usage"
      description="Every image Posterity downloaded or imported is kept once in its cache, whatever uses it."
      actions={
        <button type="button" className="btn btn-small" onClick={status.reload}>
          Refresh
        </button>
      }
    >
      {status.error && !s && <ErrorMessage error={status.error} onRetry={status.reload} />}
      {!s && !status.error && <Spinner />}
      {s && (
        <>
          <div className="stat-row">
            <Stat label="Cache in total" value={formatBytes(total.bytes)} note={pluralize(total.files, 'file')} />
            <Stat label="Artwork images" value={formatBytes(s.cache.bytes)} note={pluralize(s.cache.blobs, 'image')} />
            <Stat
              label="Previews"
              value={formatBytes(s.cache.byType.previews?.bytes ?? 0)}
              note={pluralize(s.cache.byType.previews?.files ?? 0, 'file')}
            />
            <Stat
              label="Thumbnails"
              value={formatBytes(s.cache.thumbnails.bytes)}
              note={pluralize(s.cache.thumbnails.files, 'file')}
            />
            <Stat label="Database" value={formatBytes(s.database.sizeBytes)} note="choices and history" />
          </div>
          {groups.length === 0 ? (
            <p className="muted">
              The cache is empty. Images appear here once artwork has been found and chosen for your movies.
            </p>
          ) : (
            <table className="table compact" aria-label="Cache by image type">
              <thead>
                <tr>
                  <th scope="col">Images</th>
                  <th scope="col" className="num">
                    Files
                  </th>
                  <th scope="col" className="num">
                    Size
                  </th>
                </tr>
              </thead>
              <tbody>
                {groups.map(([key, g]) => (
                  <tr key={key}>
                    <td>{groupLabel(key)}</td>
                    <td className="num">{g.files.toLocaleString()}</td>
                    <td className="num">{formatBytes(g.bytes)}</td>
                  </tr>
                ))}
                <tr className="total-row">
                  <td>Total</td>
                  <td className="num">{total.files.toLocaleString()}</td>
                  <td className="num">{formatBytes(total.bytes)}</td>
                </tr>
              </tbody>
            </table>
          )}
          <div className="subsection" aria-label="Quarantine" role="group">
            <h3>Quarantine</h3>
            {s.cache.quarantine.files === 0 && s.cache.quarantine.blobs === 0 ? (
              <p className="muted small">
                Empty. When a check finds a damaged image, the bad file is set aside here instead of being used.
              </p>
            ) : (
              <p className="small">
                {pluralize(s.cache.quarantine.files, 'damaged file')} set aside ({formatBytes(s.cache.quarantine.bytes)}
                ); they are deleted with the next clean-up once the recycle bin&rsquo;s retention has passed.
                {s.cache.quarantine.blobs > 0 && (
                  <>
                    {' '}
                    <strong className="note-bad">
                      {pluralize(s.cache.quarantine.blobs, 'image')} could not be repaired
                    </strong>{' '}
                    (no good copy and the source did not have it any more): find artwork again or choose another image
                    for the movies that used {s.cache.quarantine.blobs === 1 ? 'it' : 'them'}.
                  </>
                )}
              </p>
            )}
          </div>
        </>
      )}
    </Card>
  );
}

function Stat({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <strong className="stat-value">{value}</strong>
      {note && <span className="muted small">{note}</span>}
    </div>
  );
}

function DownloadsCard({
  status,
  failed,
  onChanged,
}: {
  status: Loaded<Status>;
  failed: Loaded<DownloadInfo[]>;
  onChanged: () => void;
}) {
  const client = useClient();
  const { run, busy } = useAction('storage');
  const [report, setReport] = useState<string | null>(null);
  const counts = status.data?.cache.downloads;
  const resume = () =>
    void run('resume', () => client.call('cache-resume', {})).then((r) => {
      if (!r) return;
      const parts =
        r.resumed === 0
          ? ['No download was waiting.']
          : [
              `Tried ${pluralize(r.resumed, 'download')} again: ${r.available.toLocaleString()} finished, ${r.failed.toLocaleString()} failed.`,
            ];
      if (r.tempFilesRemoved > 0) parts.push(`Removed ${pluralize(r.tempFilesRemoved, 'left-over temporary file')}.`);
      setReport(parts.join(' '));
      onChanged();
    });
  return (
    <Card
      title="Downloads"
      description="Images are downloaded when they are chosen. Downloads a crash or a lost connection interrupted wait here until they are tried again."
      actions={
        <button type="button" className="btn" disabled={busy !== null} onClick={resume} aria-busy={busy === 'resume'}>
          {busy === 'resume' ? 'Retrying…' : 'Retry pending downloads'}
        </button>
      }
    >
      {counts && (
        <p>
          <span className={counts.pending > 0 ? undefined : 'muted'}>
            {pluralize(counts.pending, 'pending download')}
          </span>
          {' · '}
          <span className={counts.failed > 0 ? 'note-bad' : 'muted'}>
            {pluralize(counts.failed, 'failed download')}
          </span>
        </p>
      )}
      {report && (
        <p className="note note-ok" role="status">
          {report}
        </p>
      )}
      {failed.error && !failed.data && <ErrorMessage error={failed.error} onRetry={failed.reload} />}
      {!failed.data && !failed.error && <Spinner />}
      {failed.data && failed.data.length === 0 && (
        <p className="muted small">
          No failed downloads. An image that could not be fetched would be listed here with the reason.
        </p>
      )}
      {failed.data && failed.data.length > 0 && (
        <table className="table compact" aria-label="Failed downloads">
          <thead>
            <tr>
              <th scope="col">Image</th>
              <th scope="col">Why it failed</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {failed.data.map((d) => (
              <tr key={d.id}>
                <td>
                  <div>{PROVIDERS[d.provider] ?? d.provider}</div>
                  <div className="muted small mono ellipsis" title={d.url}>
                    {d.url}
                  </div>
                </td>
                <td>
                  <span className="note-bad">{d.error ?? 'No reason recorded'}</span>
                  {d.attempts > 1 && <div className="muted small">after {pluralize(d.attempts, 'attempt')}</div>}
                </td>
                <td className="muted small nowrap">{formatRelative(d.finishedAt ?? d.requestedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

const PROVIDERS: Record<string, string> = {
  tmdb: 'TMDB',
  fanart: 'Fanart.tv',
  upload: 'Your file',
  original: 'Library',
};

function VerifyCard({ onChanged }: { onChanged: () => void }) {
  const client = useClient();
  const { run, busy } = useAction('storage');
  const [repair, setRepair] = useState(false);
  const [result, setResult] = useState<CacheVerifyResult | null>(null);
  const check = () =>
    void run('verify', () => client.call('cache-verify', { repair })).then((r) => {
      if (!r) return;
      setResult(r);
      onChanged();
    });
  return (
    <Card
      title="Check the cache"
      description="Reads every cached image again and compares it with its fingerprint, to find files damaged or deleted on disk."
    >
      <div className="field-row">
        <Switch
          checked={repair}
          onChange={setRepair}
          label="Repair what is broken (set bad files aside, fetch them again)"
          disabled={busy !== null}
        />
        <span className="spacer" />
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy !== null}
          onClick={check}
          aria-busy={busy === 'verify'}
        >
          {busy === 'verify' ? 'Checking…' : 'Check the cache'}
        </button>
      </div>
      {busy === 'verify' && <Spinner label="Checking every image; this can take a while" />}
      {result && busy !== 'verify' && <VerifyReport result={result} />}
    </Card>
  );
}

const OUTCOME: Record<CacheVerifyResult['problems'][number]['outcome'], string> = {
  reported: 'found (not repaired)',
  repaired: 'repaired',
  unrecoverable: 'could not be repaired; set aside',
};

/** Thumbnails are made from the images, so missing or damaged ones are a note, not a loss. */
function thumbnailsLine(r: CacheVerifyResult): string | null {
  const bad = r.thumbnailsMissing + r.thumbnailsDamaged;
  if (bad === 0) return null;
  const what = [
    r.thumbnailsMissing > 0 ? `${r.thumbnailsMissing.toLocaleString()} missing` : null,
    r.thumbnailsDamaged > 0 ? `${r.thumbnailsDamaged.toLocaleString()} damaged` : null,
  ]
    .filter(Boolean)
    .join(' and ');
  if (r.thumbnailsRebuilt > 0) return `${pluralize(r.thumbnailsRebuilt, 'thumbnail')} rebuilt (${what}).`;
  return `Thumbnails: ${what}; they are made again when shown${r.thumbnailsDamaged > 0 ? ', or with Repair' : ''}.`;
}

function straysLine(r: CacheVerifyResult): string | null {
  const { found, moved } = r.strays;
  if (found === 0) return null;
  if (moved > 0) return `${pluralize(moved, 'file')} that Posterity did not put in the cache moved to its quarantine.`;
  return `${pluralize(found, 'file')} in the cache that Posterity did not put there; Repair moves them to its quarantine.`;
}

function VerifyReport({ result }: { result: CacheVerifyResult }) {
  const problems = result.problems;
  const repaired = problems.filter((p) => p.outcome === 'repaired').length;
  const lost = problems.filter((p) => p.outcome === 'unrecoverable').length;
  let headline: string;
  if (problems.length === 0) headline = `Checked ${pluralize(result.checked, 'image')}: all are fine.`;
  else if (!result.repair)
    headline = `Checked ${pluralize(result.checked, 'image')}: ${pluralize(problems.length, 'problem')} found. Check again with “Repair” on to fix ${problems.length === 1 ? 'it' : 'them'}.`;
  else
    headline = `Checked ${pluralize(result.checked, 'image')}: ${pluralize(problems.length, 'problem')} found, ${repaired.toLocaleString()} repaired${lost ? `, ${lost.toLocaleString()} could not be repaired` : ''}.`;
  const thumbs = thumbnailsLine(result);
  const strays = straysLine(result);
  return (
    <div className="report" role="status" aria-label="Cache check report">
      <p className={problems.length === 0 ? 'note-ok' : lost > 0 || !result.repair ? 'note-bad' : 'note-ok'}>
        {headline}
      </p>
      {thumbs && <p className="muted small">{thumbs}</p>}
      {strays && (
        <p className={result.repair ? 'muted small' : 'note-bad small'}>
          {strays}
          {result.strays.examples.length > 0 && <span className="mono"> ({result.strays.examples.join(', ')})</span>}
        </p>
      )}
      {problems.length > 0 && (
        <ul className="report-list">
          {problems.slice(0, 50).map((p) => (
            <li key={`${p.area}-${p.sha256}`}>
              <span className="mono small">{p.sha256.slice(0, 12)}</span>{' '}
              {p.problem === 'missing' ? 'was missing' : 'was damaged'}
              {p.area === 'previews' ? ' (a preview)' : ''}: <strong>{OUTCOME[p.outcome]}</strong>
              {p.detail && <span className="muted"> — {p.detail}</span>}
              {p.usedBy.length > 0 && (
                <span className="muted">
                  {' '}
                  · shown as{' '}
                  {p.usedBy.map((u, i) => (
                    <span key={`${u.itemId}-${u.type}-${u.rank}`}>
                      {i > 0 && ', '}
                      <a href={`#/item/${u.itemId}`}>
                        the {u.type}
                        {u.rank > 0 ? ` #${u.rank + 1}` : ''} of movie {u.itemId}
                      </a>
                    </span>
                  ))}
                </span>
              )}
            </li>
          ))}
          {problems.length > 50 && <li className="muted">and {pluralize(problems.length - 50, 'more')}</li>}
        </ul>
      )}
    </div>
  );
}

function CleanupCard({ onChanged }: { onChanged: () => void }) {
  const client = useClient();
  const { run, busy } = useAction('storage');
  const [plan, setPlan] = useState<CacheGcResult | null>(null);
  const [done, setDone] = useState<CacheGcResult | null>(null);
  const preview = () =>
    void run('gc-plan', () => client.call('cache-gc', { dryRun: true })).then((r) => {
      if (!r) return;
      setDone(null);
      setPlan(r);
    });
  const clean = () =>
    void run('gc', () => client.call('cache-gc', { dryRun: false })).then((r) => {
      if (!r) return;
      setPlan(null);
      setDone(r);
      onChanged();
    });
  return (
    <Card
      title="Clean up"
      description={
        <>
          Images nothing has used for the grace period (Settings → Automation) move to the recycle bin; recycled files
          and damaged files past their retention are deleted. This also runs on its own schedule.
        </>
      }
      actions={
        <button type="button" className="btn" disabled={busy !== null} onClick={preview} aria-busy={busy === 'gc-plan'}>
          {busy === 'gc-plan' ? 'Looking…' : 'Clean up now…'}
        </button>
      }
    >
      {done ? (
        <div className="report" role="status" aria-label="Clean-up report">
          <p className="note-ok">{gcSentence(done, false)}</p>
        </div>
      ) : (
        <p className="muted small">You will see what would be removed before anything is.</p>
      )}
      {plan && (
        <Modal title="Clean up the cache?" onClose={() => busy !== 'gc' && setPlan(null)}>
          <p>{gcSentence(plan, true)}</p>
          {plan.waiting > 0 && (
            <p className="muted small">
              {pluralize(plan.waiting, 'unused image')} {plan.waiting === 1 ? 'is' : 'are'} still within the grace
              period and {plan.waiting === 1 ? 'stays' : 'stay'}.
            </p>
          )}
          <div className="field-row" style={{ justifyContent: 'flex-end' }}>
            <button type="button" className="btn btn-ghost" disabled={busy === 'gc'} onClick={() => setPlan(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy === 'gc' || gcIsEmpty(plan)}
              onClick={clean}
              aria-busy={busy === 'gc'}
            >
              {busy === 'gc' ? 'Cleaning…' : 'Clean up'}
            </button>
          </div>
        </Modal>
      )}
    </Card>
  );
}

function gcIsEmpty(r: CacheGcResult): boolean {
  return (
    r.recycled.length === 0 &&
    r.purged === 0 &&
    r.quarantine.purged.length === 0 &&
    r.quarantine.forgotten.length === 0 &&
    r.orphanThumbnails.files === 0
  );
}

/** A clean-up (or what a dry run would do) in one plain sentence. */
function gcSentence(r: CacheGcResult, planned: boolean): string {
  if (gcIsEmpty(r)) {
    const nothing = planned ? 'Nothing to clean up right now.' : 'Nothing needed cleaning up.';
    // Unused images are not junk yet: they wait out the grace period, which the user may shorten.
    return r.waiting > 0
      ? `${nothing} ${pluralize(r.waiting, 'unused image')} ${r.waiting === 1 ? 'is' : 'are'} kept until ${r.waiting === 1 ? 'its' : 'their'} grace period ends (Settings → Automation), in case ${r.waiting === 1 ? 'it is' : 'they are'} chosen again.`
      : nothing;
  }
  const recycledBytes = r.recycled.reduce((n, b) => n + b.bytes, 0);
  const parts: string[] = [];
  if (r.recycled.length > 0)
    parts.push(
      `${planned ? 'move' : 'moved'} ${pluralize(r.recycled.length, 'unused image')} (${formatBytes(recycledBytes)}) to the recycle bin`,
    );
  if (r.purged > 0)
    parts.push(
      `${planned ? 'delete' : 'deleted'} ${pluralize(r.purged, 'expired recycled file')} (${formatBytes(r.purgedBytes)}) for good`,
    );
  if (r.quarantine.purged.length > 0)
    parts.push(
      `${planned ? 'delete' : 'deleted'} ${pluralize(r.quarantine.purged.length, 'old damaged file')} (${formatBytes(r.quarantine.purgedBytes)})`,
    );
  if (r.quarantine.forgotten.length > 0)
    parts.push(`${planned ? 'forget' : 'forgot'} ${pluralize(r.quarantine.forgotten.length, 'unrepairable image')}`);
  if (r.orphanThumbnails.files > 0)
    parts.push(
      `${planned ? 'delete' : 'deleted'} ${pluralize(r.orphanThumbnails.files, 'thumbnail')} nothing shows any more (${formatBytes(r.orphanThumbnails.bytes)})`,
    );
  const text = parts.join(', ');
  return planned ? `This will ${text}.` : `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function RecycleCard({ recycle, onChanged }: { recycle: Loaded<RecycleEntry[]>; onChanged: () => void }) {
  const client = useClient();
  const toast = useToast();
  const { run, busy } = useAction('storage');
  const [restoring, setRestoring] = useState<number | null>(null);
  const [rowErrors, setRowErrors] = useState<Record<number, { title: string; text: string }>>({});
  const [purge, setPurge] = useState<'expired' | 'all' | null>(null);
  const [purged, setPurged] = useState<RecyclePurgeResult | null>(null);
  const entries = recycle.data ?? [];
  const now = Date.now();
  const expired = entries.filter((e) => e.expiresAt <= now);
  const totalBytes = entries.reduce((n, e) => n + e.bytes, 0);

  const restore = async (entry: RecycleEntry) => {
    setRestoring(entry.id);
    setRowErrors(({ [entry.id]: _gone, ...rest }) => rest);
    try {
      await client.call('recycle-restore', { id: entry.id });
      toast(`Restored ${fileName(entry.originalPath)} to its folder`);
      onChanged();
    } catch (err) {
      const code = (err as { code?: string } | null)?.code;
      setRowErrors((all) => ({
        ...all,
        [entry.id]: {
          title: code === 'conflict' ? 'Not restored: another file is in the way' : 'Not restored',
          text:
            code === 'conflict' && isMoviePicture(entry)
              ? `${errorText(err)} To have this picture back instead of the newer choice, use “Use again”.`
              : errorText(err),
        },
      }));
    } finally {
      setRestoring(null);
    }
  };

  const reuse = async (entry: RecycleEntry) => {
    setRestoring(entry.id);
    setRowErrors(({ [entry.id]: _gone, ...rest }) => rest);
    try {
      const r = await client.call('recycle-reuse', { id: entry.id });
      toast(`${fileName(entry.originalPath)} is the chosen ${r.type} again (locked); publish the movie to write it`);
      onChanged();
    } catch (err) {
      setRowErrors((all) => ({ ...all, [entry.id]: { title: 'Not used again', text: errorText(err) } }));
    } finally {
      setRestoring(null);
    }
  };

  const doPurge = (which: 'expired' | 'all') =>
    void run('purge', () => client.call('recycle-purge', { expiredOnly: which === 'expired' })).then((r) => {
      setPurge(null);
      if (!r) return;
      setPurged(r);
      onChanged();
    });

  return (
    <Card
      title="Recycle bin"
      description="Files Posterity replaced or removed in your library, and cache images it cleaned up. They are kept for the retention time (Settings → Automation) and can be put back."
      actions={
        <>
          <button
            type="button"
            className="btn"
            disabled={busy !== null || expired.length === 0}
            onClick={() => setPurge('expired')}
          >
            Empty expired
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy !== null || entries.length === 0}
            onClick={() => setPurge('all')}
          >
            Empty all
          </button>
        </>
      }
    >
      {purged && (
        <p className="note note-ok" role="status">
          {purged.purged === 0
            ? 'Nothing was deleted.'
            : `Deleted ${pluralize(purged.purged, 'file')} (${formatBytes(purged.bytes)}) for good.`}
        </p>
      )}
      {recycle.error && !recycle.data && <ErrorMessage error={recycle.error} onRetry={recycle.reload} />}
      {!recycle.data && !recycle.error && <Spinner />}
      {recycle.data && entries.length === 0 && (
        <p className="muted">
          The recycle bin is empty. When publishing replaces or removes a file in your library, the old one waits here
          so you can put it back.
        </p>
      )}
      {entries.length > 0 && (
        <>
          <p className="muted small">
            {pluralize(entries.length, 'file')} · {formatBytes(totalBytes)}
            {expired.length > 0 && ` · ${expired.length.toLocaleString()} past retention`}
          </p>
          <ul className="recycle-list" aria-label="Recycled files">
            {entries.map((entry) => (
              <RecycleRow
                key={entry.id}
                entry={entry}
                now={now}
                busy={restoring === entry.id}
                disabled={restoring !== null || busy !== null}
                error={rowErrors[entry.id] ?? null}
                onRestore={() => void restore(entry)}
                onReuse={isMoviePicture(entry) ? () => void reuse(entry) : null}
              />
            ))}
          </ul>
        </>
      )}
      {purge && (
        <Modal
          title={purge === 'all' ? 'Empty the recycle bin?' : 'Delete expired files?'}
          onClose={() => busy === null && setPurge(null)}
        >
          <p>
            {purge === 'all'
              ? `All ${pluralize(entries.length, 'file')} (${formatBytes(totalBytes)}) in the recycle bin will be deleted for good.`
              : `${pluralize(expired.length, 'file')} past the retention time (${formatBytes(expired.reduce((n, e) => n + e.bytes, 0))}) will be deleted for good.`}{' '}
            <strong>They cannot be restored afterwards.</strong>
          </p>
          <div className="field-row" style={{ justifyContent: 'flex-end' }}>
            <button type="button" className="btn btn-ghost" disabled={busy !== null} onClick={() => setPurge(null)}>
              Keep them
            </button>
            <button
              type="button"
              className="btn btn-primary btn-destructive"
              disabled={busy !== null}
              onClick={() => doPurge(purge)}
              aria-busy={busy === 'purge'}
            >
              {busy === 'purge' ? 'Deleting…' : purge === 'all' ? 'Delete all' : 'Delete expired'}
            </button>
          </div>
        </Modal>
      )}
    </Card>
  );
}

function RecycleRow({
  entry,
  now,
  busy,
  disabled,
  error,
  onRestore,
  onReuse,
}: {
  entry: RecycleEntry;
  now: number;
  busy: boolean;
  disabled: boolean;
  error: { title: string; text: string } | null;
  onRestore: () => void;
  onReuse: (() => void) | null;
}) {
  const name = fileName(entry.originalPath);
  let when: ReactNode;
  if (entry.expiresAt <= now) when = <span className="note-bad">past retention; deleted at the next clean-up</span>;
  else {
    const left = formatRelative(entry.expiresAt, now);
    when = left.startsWith('in ') ? `kept for another ${left.slice(3)}` : `kept until ${left}`;
  }
  return (
    <li className="recycle-row">
      <div className="recycle-main">
        <div className="recycle-name">
          <strong>{name}</strong>
          {entry.kind === 'blob' && <span className="badge">Cache image</span>}
        </div>
        <div className="muted small mono ellipsis" title={entry.originalPath}>
          {entry.originalPath}
        </div>
        <div className="muted small">
          {reasonText(entry.reason)} · {formatBytes(entry.bytes)} · {formatRelative(entry.deletedAt, now)} · {when}
        </div>
        {error && (
          <div className="error-inline" role="alert">
            <strong>{error.title}.</strong> {error.text}
          </div>
        )}
      </div>
      <div className="recycle-actions">
        {onReuse && (
          <button
            type="button"
            className="btn btn-small"
            disabled={disabled}
            onClick={onReuse}
            aria-label={`Use ${name} again`}
            title="Make it the movie's chosen image again (locked); the next publish writes it"
          >
            Use again
          </button>
        )}
        <button
          type="button"
          className="btn btn-small"
          disabled={disabled}
          onClick={onRestore}
          aria-label={`Restore ${name}`}
          aria-busy={busy}
        >
          {busy ? 'Restoring…' : 'Restore'}
        </button>
      </div>
    </li>
  );
}

/** A picture from a movie's folder: one that can become the movie's chosen image again. */
function isMoviePicture(entry: RecycleEntry): boolean {
  const name = fileName(entry.originalPath);
  // Pre-Frodo .tbn posters are pictures too (the naming table reads them as posters).
  return (
    entry.kind === 'library-file' && entry.itemId !== null && (isImageFileName(name) || extensionOf(name) === 'tbn')
  );
}

function fileName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/** Reasons are written by the engine in words ("unreferenced for 30 days", "replaced: …"). */
function reasonText(reason: string): string {
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}
