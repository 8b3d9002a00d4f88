import { useState } from 'react';
import type { SettingKey } from '../../../shared/settings.ts';
import { useClient } from '../app/bridge.tsx';
import type { SettingsState } from '../app/settings.ts';
import { errorText } from '../lib/format.ts';

type TestState =
  { state: 'idle' } | { state: 'testing' } | { state: 'ok'; text: string } | { state: 'bad'; text: string };

/**
 * One API key: shows whether a key is set (never the key itself), takes a new one, and tests
 * the key that is saved against the service.
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
  provider: 'tmdb' | 'fanart';
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

  const runTest = async () => {
    setResult({ state: 'testing' });
    try {
      const outcome = await testProviderKey(client, provider);
      setResult(outcome.ok ? { state: 'ok', text: outcome.message } : { state: 'bad', text: outcome.message });
    } catch (err) {
      setResult({ state: 'bad', text: errorText(err) });
    }
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
          onChange={(e) => setText(e.target.value)}
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
            disabled={!isSet || result.state === 'testing'}
            onClick={() => void runTest()}
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

/** Asks the engine to try the saved key against the service. */
export async function testProviderKey(
  client: ReturnType<typeof useClient>,
  provider: 'tmdb' | 'fanart',
): Promise<{ ok: boolean; message: string }> {
  return client.call('providers-test', { provider });
}
