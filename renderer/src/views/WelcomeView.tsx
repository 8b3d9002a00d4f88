import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobEvent } from '../../../shared/api/events.ts';
import type { LibraryView } from '../../../shared/api/library.ts';
import { useClient, useEngineEvents } from '../app/bridge.tsx';
import type { SettingsState } from '../app/settings.ts';
import { ProgressBar, useAction } from '../components/ui.tsx';
import { errorText, pluralize } from '../lib/format.ts';
import { AddLibraryForm } from './LibrariesPanel.tsx';
import { ProviderKeyField } from './ProviderKeyField.tsx';
import { AUTOMATION_HELP, keysOf, RadioCards } from './SettingsView.tsx';

// Automation comes before the library: adding a library starts its scan, which automation follows.
const STEPS = ['Artwork services', 'Automation', 'Your movies'] as const;

/** First run: keys, the first library, how much to automate. Every step can be skipped. */
export function WelcomeView({ settings, onDone }: { settings: SettingsState; onDone: () => void }) {
  const [step, setStep] = useState(0);
  // Held here, not in the form: the scan goes on while the user steps back and forth.
  const firstScan = useFirstScan();
  const { run } = useAction();
  const finish = () => void run('finish', () => settings.save('ui.firstRunDone', true)).then(onDone);
  const level = String(settings.value('automation.level') ?? 'autoselect');
  return (
    <div className="welcome">
      <div className="welcome-card">
        <div className="welcome-brand">
          <svg viewBox="0 0 32 32" width="34" height="34" aria-hidden="true">
            <rect x="5" y="3" width="22" height="26" rx="3" fill="var(--accent)" />
            <rect x="9" y="7" width="14" height="13" rx="1.5" fill="var(--accent-contrast)" opacity="0.9" />
            <rect x="9" y="23" width="9" height="2" rx="1" fill="var(--accent-contrast)" opacity="0.8" />
          </svg>
          <div>
            <h1>Welcome to Posterity</h1>
            <p className="muted">Posters, backgrounds and logos for every movie, chosen well and kept safe.</p>
          </div>
        </div>
        <ol className="steps" aria-label="Steps">
          {STEPS.map((label, i) => (
            <li
              key={label}
              className={i === step ? 'step-on' : i < step ? 'step-done' : ''}
              aria-current={i === step ? 'step' : undefined}
            >
              <span className="step-num">{i < step ? '✓' : i + 1}</span> {label}
            </li>
          ))}
        </ol>
        <div className="welcome-body">
          {step === 0 && (
            <>
              <p>
                Posterity finds artwork on TMDB and Fanart.tv. Both give free keys for personal use. You can add them
                later in Settings.
              </p>
              {settings.views ? (
                <>
                  <ProviderKeyField settings={settings} settingKey="tmdb.apiKey" provider="tmdb" label="TMDB API key" />
                  <ProviderKeyField
                    settings={settings}
                    settingKey="fanart.apiKey"
                    provider="fanart"
                    label="Fanart.tv API key"
                  />
                </>
              ) : null}
            </>
          )}
          {step === 1 && (
            <>
              <p>How much should happen on its own? Your own choices are always kept.</p>
              <RadioCards
                name="welcome-automation"
                value={level}
                options={keysOf(AUTOMATION_HELP).map((l) => ({ value: l, ...AUTOMATION_HELP[l] }))}
                onChange={(v) => void settings.save('automation.level', v)}
              />
            </>
          )}
          {step === 2 && (
            <>
              <p>
                Which folder holds your movies? Posterity reads it and later writes artwork next to each movie, under
                the names Kodi, Jellyfin and Plex read.
              </p>
              <AddLibraryForm compact onAdded={firstScan.track} />
              {firstScan.scan && <FirstScanStatus scan={firstScan.scan} />}
            </>
          )}
        </div>
        <div className="welcome-foot">
          <button type="button" className="btn btn-ghost" onClick={finish}>
            Skip for now
          </button>
          <span className="spacer" />
          {step > 0 && (
            <button type="button" className="btn" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          {step < STEPS.length - 1 ? (
            <button type="button" className="btn btn-primary" onClick={() => setStep(step + 1)}>
              Next
            </button>
          ) : (
            <button type="button" className="btn btn-primary" onClick={finish}>
              Start
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

/** The wizard's scan of the library it added, as the job's events tell it. */
interface FirstScan {
  library: LibraryView;
  jobId: number;
  state: JobEvent['state'];
  progress: JobEvent['progress'];
  error: string | null;
  /** The library's counts once the scan is done (null until read), or why they could not be read. */
  found: { movies: number; problems: number; unreachable: boolean } | { error: string } | null;
}

/** Later states win over a job list fetched before they were pushed (a retry may go back to queued). */
const STATE_RANK: Record<JobEvent['state'], number> = { queued: 0, running: 1, done: 2, failed: 2, cancelled: 2 };

/**
 * Follows one scan job on the shared event stream, as the Libraries panel does. A small library
 * can be scanned before the events for its job are listened for, so the job list is read once
 * when tracking starts; the library's movie count is read when the scan is done.
 */
function useFirstScan() {
  const client = useClient();
  const [scan, setScan] = useState<FirstScan | null>(null);
  const jobId = useRef<number | null>(null);

  const apply = useCallback((job: Pick<JobEvent, 'id' | 'state' | 'progress' | 'error'>, catchUp: boolean) => {
    setScan((prev) => {
      if (!prev || prev.jobId !== job.id) return prev;
      if (catchUp && STATE_RANK[job.state] <= STATE_RANK[prev.state]) return prev;
      return { ...prev, state: job.state, progress: job.progress ?? prev.progress, error: job.error, found: null };
    });
  }, []);

  useEngineEvents((e) => {
    if (e.type === 'job' && e.job.id === jobId.current) apply(e.job, false);
  });

  const track = useCallback(
    (library: LibraryView, jobIds: number[]) => {
      const id = jobIds[0];
      jobId.current = id ?? null;
      if (id === undefined) return setScan(null);
      setScan({ library, jobId: id, state: 'queued', progress: null, error: null, found: null });
      void client.call('jobs-list', { kind: 'scan-library', limit: 50 }).then(
        (jobs) => {
          const job = jobs.find((j) => j.id === id);
          if (job) apply(job, true);
        },
        () => {}, // the event stream still tells
      );
    },
    [client, apply],
  );

  const done = scan?.state === 'done' && scan.found === null;
  const libraryId = scan?.library.id;
  useEffect(() => {
    if (!done) return;
    let stale = false;
    const settle = (found: NonNullable<FirstScan['found']>) =>
      setScan((prev) => (prev && prev.library.id === libraryId && prev.state === 'done' ? { ...prev, found } : prev));
    client.call('library-list', {}).then(
      (list) => {
        const lib = list.find((l) => l.id === libraryId);
        if (stale) return;
        settle(
          lib
            ? { movies: lib.itemCount, problems: lib.errorCount, unreachable: lib.state === 'missing' }
            : { error: 'the library was removed' },
        );
      },
      (err: unknown) => !stale && settle({ error: errorText(err) }),
    );
    return () => {
      stale = true;
    };
  }, [client, done, libraryId]);

  return { scan, track };
}

function FirstScanStatus({ scan }: { scan: FirstScan }) {
  const name = scan.library.name;
  if (scan.state === 'failed' || scan.state === 'cancelled') {
    return (
      <p className="note note-bad" role="alert">
        {scan.state === 'cancelled'
          ? `The scan of ${name} was cancelled. Scan it again from Settings › Libraries.`
          : `The scan of ${name} failed: ${scan.error ?? 'no reason was given'}`}
      </p>
    );
  }
  if (scan.state === 'done') {
    if (!scan.found)
      return (
        <div className="scan-progress" role="status">
          Counting the movies found…
        </div>
      );
    if ('error' in scan.found) {
      return (
        <p className="note note-bad" role="alert">
          The scan of {name} is done, but its movies could not be counted: {scan.found.error}
        </p>
      );
    }
    const { movies, problems, unreachable } = scan.found;
    // The scanner treats an unreadable root as offline (it keeps the movies), so the job itself succeeds.
    if (unreachable) {
      return (
        <p className="note note-bad" role="alert">
          The scan of {name} could not read {scan.library.path}. Is the drive or share mounted, and may Posterity read
          it?
        </p>
      );
    }
    return (
      <p className={`note ${movies > 0 ? 'note-ok' : 'note-bad'}`} role="status">
        {movies > 0
          ? `✓ Found ${pluralize(movies, 'movie')} in ${name}.`
          : `No movies found in ${scan.library.path}. Is it the folder that holds them?`}
        {problems > 0 && ` ${pluralize(problems, 'movie has', 'movies have')} a problem; the library shows which.`}
      </p>
    );
  }
  if (scan.state === 'queued') {
    return (
      <div className="scan-progress" role="status">
        Waiting to scan {name}…
      </div>
    );
  }
  const done = scan.progress?.done ?? 0;
  const total = scan.progress?.total ?? 0;
  return (
    <div className="scan-progress" role="status">
      <span>
        {scan.progress?.label ?? `Scanning ${name}…`}
        {total > 0 && ` · ${done.toLocaleString()} of ${total.toLocaleString()}`}
      </span>
      <ProgressBar done={done} total={total} label={`Scan of ${name}`} />
    </div>
  );
}
