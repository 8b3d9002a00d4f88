import { useRef, useState } from 'react';
import type { ProviderTestResult } from '../../../shared/api/system.ts';
import type { ProviderId, SettingKey } from '../../../shared/settings.ts';
import { useClient } from '../app/bridge.tsx';
import type { SettingsState } from '../app/settings.ts';
import { errorText } from '../lib/format.ts';

type TestState =
  { state: 'idle' } | { state: 'testing' } | { state: 'ok'; text: string } | { state: 'bad'; text: string };

/**
 * One API key: shows whether a key is set (never the key itself), takes a new one, and tests a
 * key against the service: the one typed, so it can be checked before saving, else the saved one.
 */
export function ProviderKeyField({
  settings,
  settingKey,
  provider,
  label,
  test = true,
}: {
  settings: SettingsState;
  settingKey: SettingKey;
  provider: ProviderId;
  label: string;
  test?: boolean;
}) {
  const client = useClient();
  const view = settings.views?.get(settingKey);
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<TestState>({ state: 'idle' });
  const fromEnv = view?.source === 'env';
  const isSet = typeof view?.value === 'string' && view.value !== '';
  const id = `key-${settingKey}`;
  const typed = text.trim();
  // Bumped by every test and every keystroke: an answer about text since changed is dropped.
  const attempt = useRef(0);

  const runTest = async (key?: string) => {
    const mine = ++attempt.current;
    setResult({ state: 'testing' });
    let next: TestState;
    try {
      const outcome = await testProviderKey(client, provider, key);
      next = outcome.ok ? { state: 'ok', text: outcome.message } : { state: 'bad', text: outcome.message };
    } catch (err) {
      next = { state: 'bad', text: errorText(err) };
    }
    if (mine === attempt.current) setResult(next);
  };

  const edit = (value: string) => {
    setText(value);
    attempt.current++;
    setResult({ state: 'idle' });
  };

  const save = async () => {
    setSaving(true);
    try {
      await settings.save(settingKey, text.trim());
      setText('');
      if (test && text.trim() !== '') await runTest();
      else setResult({ state: 'idle' });
    } catch (err) {
      setResult({ state: 'bad', text: errorText(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          id={id}
          className="input mono"
          type="password"
          autoComplete="off"
          spellCheck={false}
          disabled={fromEnv}
          placeholder={isSet ? `Saved (${String(view?.value)}) — type to replace` : 'Paste the key here'}
          value={text}
          onChange={(e) => edit(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && text.trim() && void save()}
        />
        <button
          type="button"
          className="btn btn-primary"
          disabled={saving || text.trim() === ''}
          onClick={() => void save()}
        >
          Save
        </button>
        {test && (
          <button
            type="button"
            className="btn"
            disabled={(!isSet && typed === '') || result.state === 'testing'}
            title={typed ? 'Try the key typed here, without saving it' : 'Try the saved key'}
            onClick={() => void runTest(typed || undefined)}
          >
            {result.state === 'testing' ? 'Testing…' : 'Test'}
          </button>
        )}
        {isSet && !fromEnv && (
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => void settings.save(settingKey, '').then(() => setResult({ state: 'idle' }))}
          >
            Remove
          </button>
        )}
      </div>
      {fromEnv && <p className="note">Set by the environment variable {view?.env}.</p>}
      {result.state === 'ok' && (
        <p className="note note-ok" role="status">
          ✓ {result.text}
        </p>
      )}
      {result.state === 'bad' && (
        <p className="note note-bad" role="alert">
          {result.text}
        </p>
      )}
    </div>
  );
}

/** Asks the engine to try `key` (never saved by this), or the saved key, against the service. */
export async function testProviderKey(
  client: ReturnType<typeof useClient>,
  provider: ProviderId,
  key?: string,
): Promise<ProviderTestResult> {
  return client.call('providers-test', key === undefined ? { provider } : { provider, key });
}
