import { useEffect, useMemo, useRef, useState } from 'react';
import type { JobView, ProviderOutage } from '../../../shared/api/jobs.ts';
import { useApi, useClient, useConnected, useEngineEvents } from '../app/bridge.tsx';
import { routeHref } from '../app/router.ts';
import { ConfirmModal } from '../components/ConfirmModal.tsx';
import { ErrorMessage, ProgressBar, Spinner, useAction } from '../components/ui.tsx';
import { formatRelative, pluralize } from '../lib/format.ts';

/** What each job kind is called on screen. */
const KIND_LABELS: Record<string, string> = {
  'scan-library': 'Scan library',
  'scan-folder': 'Rescan folder',
  'enrich-item': 'Find artwork',
  'autoselect-item': 'Choose artwork',
  download: 'Download',
  'publish-item': 'Publish',
  verify: 'Check library',
  gc: 'Clean cache',
  rebuild: 'Rebuild library files',
};

const STATE_LABELS: Record<JobView['state'], string> = {
  queued: 'Waiting',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

type Filter = 'all' | 'active' | 'failed';

/** The newest jobs the view lists; the counts above it cover every job. */
const LIST_LIMIT = 500;

export function ActivityView() {
  const [filter, setFilter] = useState<Filter>('all');
  const jobs = useApi(
    'jobs-list',
    filter === 'failed' ? { state: 'failed', limit: LIST_LIMIT } : { limit: LIST_LIMIT },
    [],
  );
  const counts = useApi('jobs-counts', {}, []);
  const client = useClient();
  const { run, busy } = useAction();
  const [confirming, setConfirming] = useState<'cancel' | 'retry' | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const reloadSoon = () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      jobs.reload();
      counts.reload();
    }, 300);
  };

  useEngineEvents((e) => {
    if (e.type === 'jobs-changed') return reloadSoon();
    if (e.type !== 'job' || !jobs.data) return;
    const index = jobs.data.findIndex((j) => j.id === e.job.id);
    if (index >= 0) {
      // Progress updates arrive often: patch the row instead of fetching the list.
      const next = [...jobs.data];
      next[index] = {
        ...next[index]!,
        state: e.job.state,
        progress: e.job.progress,
        message: e.job.message,
        error: e.job.error,
      };
      jobs.set(next);
      if (next[index]!.state !== jobs.data[index]!.state) reloadSoon();
    } else {
      reloadSoon();
    }
  });

  const list = useMemo(() => {
    const all = jobs.data ?? [];
    return filter === 'active' ? all.filter((j) => j.state === 'queued' || j.state === 'running') : all;
  }, [jobs.data, filter]);
  const active = list.filter((j) => j.state === 'running' || j.state === 'queued');
  const finished = list.filter((j) => j.state !== 'running' && j.state !== 'queued');
  const c = counts.data;
  const unlisted = c && filter !== 'failed' ? c.queued + c.running - active.length : 0;

  const cancelWaiting = () =>
    void run(
      'cancel-waiting',
      () => client.call('jobs-cancel-queued', {}),
      (r) => `Cancelled ${pluralize(r.cancelled, 'waiting job')}`,
    ).then(() => {
      setConfirming(null);
      jobs.reload();
      counts.reload();
    });

  const retryFailed = () =>
    void run(
      'retry-failed',
      () => client.call('jobs-retry-failed', {}),
      (r) =>
        r.queued === 0
          ? 'Nothing to retry: that work is already waiting or running'
          : `Queued ${pluralize(r.queued, 'failed job')} again`,
    ).then(() => {
      setConfirming(null);
      jobs.reload();
      counts.reload();
    });

  return (
    <div className="view activity">
      <header className="view-head">
        <h1>Activity</h1>
        {c && (
          <p className="muted activity-counts" aria-live="polite">
            {pluralize(c.queued, 'waiting job')} · {c.running.toLocaleString()} running · {c.failed.toLocaleString()}{' '}
            failed
          </p>
        )}
        <div className="segmented" role="group" aria-label="Show">
          {(['all', 'active', 'failed'] as const).map((f) => (
            <button
              key={f}
              type="button"
              aria-pressed={filter === f}
              className={filter === f ? 'seg-on' : ''}
              onClick={() => setFilter(f)}
            >
              {f === 'all' ? 'All' : f === 'active' ? 'In progress' : 'Failed'}
            </button>
          ))}
        </div>
        {c && c.failed > 0 && (
          <button type="button" className="btn" onClick={() => setConfirming('retry')}>
            Retry failed…
          </button>
        )}
        {c && c.queued > 0 && (
          <button type="button" className="btn" onClick={() => setConfirming('cancel')}>
            Cancel waiting jobs…
          </button>
        )}
      </header>
      <div className="view-scroll">
        {jobs.error && <ErrorMessage error={jobs.error} onRetry={jobs.reload} />}
        {!jobs.data && !jobs.error && <Spinner />}
        {jobs.data && list.length === 0 && (
          <div className="empty">
            <h2>{filter === 'failed' ? 'Nothing failed' : 'Nothing going on'}</h2>
            <p className="muted">Scans, artwork searches, downloads and publishing show up here while they run.</p>
          </div>
        )}
        {active.length > 0 && (
          <section aria-label="In progress">
            <h2 className="section-title">In progress</h2>
            <ul className="jobs">
              {active.map((j) => (
                <JobRow
                  key={j.id}
                  job={j}
                  onCancel={() =>
                    void run('cancel', () => client.call('jobs-cancel', { id: j.id }), 'Cancelled').then(jobs.reload)
                  }
                />
              ))}
            </ul>
            {unlisted > 0 && (
              <p className="muted small">
                {pluralize(unlisted, 'more job')} {unlisted === 1 ? 'waits' : 'wait'} after these; they show here as the
                queue moves.
              </p>
            )}
          </section>
        )}
        {finished.length > 0 && (
          <section aria-label="Recent">
            <h2 className="section-title">Recent</h2>
            <ul className="jobs">
              {finished.map((j) => (
                <JobRow key={j.id} job={j} />
              ))}
            </ul>
          </section>
        )}
      </div>
      {confirming === 'retry' && c && (
        <ConfirmModal
          title="Retry failed jobs?"
          keepLabel="Not now"
          confirmLabel={`Retry ${pluralize(c.failed, 'job')}`}
          busyLabel="Queueing…"
          busy={busy === 'retry-failed'}
          onConfirm={retryFailed}
          onClose={() => setConfirming(null)}
        >
          <p>
            {pluralize(c.failed, 'failed job')} {c.failed === 1 ? 'is' : 'are'} queued again, once each, ahead of
            background work. Work that is already waiting or running is not doubled. If a provider is still down, they
            fail again and nothing is lost.
          </p>
        </ConfirmModal>
      )}
      {confirming === 'cancel' && c && (
        <ConfirmModal
          title="Cancel waiting jobs?"
          keepLabel="Keep them"
          confirmLabel={`Cancel ${pluralize(c.queued, 'job')}`}
          busyLabel="Cancelling…"
          busy={busy === 'cancel-waiting'}
          danger
          onConfirm={cancelWaiting}
          onClose={() => setConfirming(null)}
        >
          <p>
            {pluralize(c.queued, 'job')} that {c.queued === 1 ? 'has' : 'have'} not started yet will not run. Running
            jobs finish. Nothing already done is undone, and you can start the work again at any time.
          </p>
        </ConfirmModal>
      )}
    </div>
  );
}

function JobRow({ job, onCancel }: { job: JobView; onCancel?: () => void }) {
  const label = KIND_LABELS[job.kind] ?? job.kind;
  const when = job.finishedAt ?? job.startedAt ?? job.createdAt;
  return (
    <li className={`job job-${job.state}`}>
      <span className={`job-state state-${job.state}`}>{STATE_LABELS[job.state]}</span>
      <div className="job-main">
        <div className="job-title">
          <strong>{label}</strong>
          {job.itemId !== null && (
            <a href={routeHref({ view: 'item', id: job.itemId })} className="job-item">
              {job.itemTitle ?? `item ${job.itemId}`}
            </a>
          )}
        </div>
        {job.state === 'running' && (
          <ProgressBar done={job.progress?.done ?? 0} total={job.progress?.total ?? 0} label={`${label} progress`} />
        )}
        {(job.progress?.label || job.message) && job.state === 'running' && (
          <div className="muted small">{job.progress?.label ?? job.message}</div>
        )}
        {job.state === 'failed' && job.error && (
          <div className="job-error" role="note">
            {job.error}
            {job.attempts < job.maxAttempts && job.runAfter > Date.now() && (
              <span className="muted"> · retrying {formatRelative(job.runAfter)}</span>
            )}
          </div>
        )}
        {job.state === 'done' && job.message && <div className="muted small">{job.message}</div>}
      </div>
      <div className="job-side">
        <span className="muted small" title={new Date(when).toLocaleString()}>
          {formatRelative(when)}
        </span>
        {onCancel && (
          <button
            type="button"
            className="btn btn-small"
            onClick={onCancel}
            aria-label={`Cancel ${label}${job.itemTitle ? ` of ${job.itemTitle}` : ''}`}
          >
            Cancel
          </button>
        )}
      </div>
    </li>
  );
}

/**
 * One banner while a provider's latest calls fail for a reason no single movie can explain: the
 * service cannot be reached, or it refuses the key. It follows the engine's `provider-outages`
 * events and goes away by itself when calls work again. The app shell shows it above every
 * view, Activity included.
 */
export function OutageBanner() {
  const outages = useApi('provider-outages', {}, []);
  const connected = useConnected();
  useEngineEvents((e) => {
    if (e.type === 'provider-outages') outages.set(e.outages);
  });
  // Events sent while the connection was down are lost: ask again on reconnecting.
  const wasConnected = useRef(connected);
  useEffect(() => {
    if (connected && !wasConnected.current) outages.reload();
    wasConnected.current = connected;
  });
  const list = outages.data ?? [];
  if (list.length === 0) return null;
  return (
    <div className="banner banner-warn banner-outage" role="status">
      {list.map((o) => (
        <p key={o.provider} title={o.detail}>
          {o.reason === 'auth' ? (
            <>
              {o.label} refuses the API key: check{' '}
              <a href={routeHref({ view: 'settings', section: 'providers' })}>Settings</a>.
            </>
          ) : (
            <>
              {o.label} cannot be reached since {sinceText(o)}; enrichment will retry.
            </>
          )}
        </p>
      ))}
    </div>
  );
}

/** "10:42" today, else the date as well. */
function sinceText(o: ProviderOutage): string {
  const at = new Date(o.since);
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === new Date().toDateString() ? time : `${at.toLocaleDateString()} ${time}`;
}
