import { useState } from 'react';
import { useScanTracker } from '../app/scan-tracker.ts';
import type { SettingsState } from '../app/settings.ts';
import { useAction } from '../components/ui.tsx';
import { AddLibraryForm, ScanStatus } from './LibrariesPanel.tsx';
import { ProviderKeyField } from './ProviderKeyField.tsx';
import { AUTOMATION_HELP, keysOf, RadioCards } from './SettingsView.tsx';

// Automation comes before the library: adding a library starts its scan, which automation follows.
const STEPS = ['Artwork services', 'Automation', 'Your movies'] as const;

/** First run: keys, the first library, how much to automate. Every step can be skipped. */
export function WelcomeView({ settings, onDone }: { settings: SettingsState; onDone: () => void }) {
  const [step, setStep] = useState(0);
  // Held here, not in the form: the scan goes on while the user steps back and forth.
  const firstScan = useScanTracker();
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
              <AddLibraryForm compact onAdded={firstScan.follow} />
              {firstScan.followed && <ScanStatus scan={firstScan.followed} />}
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
