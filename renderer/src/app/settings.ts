import { useCallback, useEffect, useState } from 'react';
import type { SettingKey, SettingValue, SettingView } from '../../../shared/settings.ts';
import { useClient, useEngineEvents } from './bridge.tsx';

export interface SettingsState {
  views: Map<SettingKey, SettingView> | null;
  error: Error | null;
  /** The effective value (masked for secrets). */
  value<K extends SettingKey>(key: K): SettingValue<K> | undefined;
  save(key: SettingKey, value: unknown): Promise<SettingView>;
  reload(): void;
}

/** Every setting, kept current through `settings-changed` events. */
export function useSettings(): SettingsState {
  const client = useClient();
  const [views, setViews] = useState<Map<SettingKey, SettingView> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    client.call('config-list', {}).then(
      (list) => {
        if (!alive) return;
        setViews(new Map(list.map((v) => [v.key, v])));
        setError(null);
      },
      (err: Error) => alive && setError(err),
    );
    return () => {
      alive = false;
    };
  }, [client, tick]);
  useEngineEvents((e) => {
    if (e.type === 'settings-changed') setTick((t) => t + 1);
  });
  const save = useCallback(
    async (key: SettingKey, value: unknown) => {
      const view = await client.call('config-set', { key, value });
      setViews((old) => new Map(old ?? []).set(key, view));
      return view;
    },
    [client],
  );
  const value = useCallback(
    <K extends SettingKey>(key: K) => views?.get(key)?.value as SettingValue<K> | undefined,
    [views],
  );
  return { views, error, value, save, reload: () => setTick((t) => t + 1) };
}
