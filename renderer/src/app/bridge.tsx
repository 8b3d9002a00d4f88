import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { EngineEvent } from '../../../shared/api/events.ts';
import type { ApiClient, MethodName, ParamsOf, ResultOf } from '../../../shared/api/index.ts';
import type { Bridge } from '../api-client.ts';

type Listener = (event: EngineEvent) => void;

interface BridgeState {
  bridge: Bridge;
  /** Whether the event stream is connected (browser: the server is reachable). */
  connected: boolean;
  /** Subscribe to engine events through the app's one stream. */
  listen(listener: Listener): () => void;
}

const Ctx = createContext<BridgeState | null>(null);

/**
 * Holds the one event-stream subscription of the app and fans events out to views (a browser
 * allows only a few connections per server; one stream per view would starve API calls).
 */
export function BridgeProvider({ bridge, children }: { bridge: Bridge; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(true);
  useEffect(
    () =>
      bridge.subscribe(
        (event) => {
          for (const l of listeners.current) l(event);
        },
        (state) => setConnected(state),
      ),
    [bridge],
  );
  const listen = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  return <Ctx.Provider value={{ bridge, connected, listen }}>{children}</Ctx.Provider>;
}

function useBridgeState(): BridgeState {
  const state = useContext(Ctx);
  if (!state) throw new Error('BridgeProvider missing');
  return state;
}

export function useBridge(): Bridge {
  return useBridgeState().bridge;
}

export function useClient(): ApiClient {
  return useBridgeState().bridge.client;
}

export function useConnected(): boolean {
  return useBridgeState().connected;
}

/** Calls `listener` for every engine event while the component is mounted. */
export function useEngineEvents(listener: Listener): void {
  const { listen } = useBridgeState();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => listen((e) => latest.current(e)), [listen]);
}

export interface ApiState<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  /** Fetches again, keeping the current data on screen meanwhile. */
  reload(): void;
  /** Replaces the data locally (optimistic updates). */
  set(value: T): void;
}

/**
 * Fetches one API method's result and keeps it while params are unchanged. `null` params skip
 * the call. Reloads whenever `deps` change, or on demand.
 */
export function useApi<M extends MethodName>(
  method: M,
  params: ParamsOf<M> | null,
  deps: unknown[] = [],
): ApiState<ResultOf<M>> {
  const client = useClient();
  const [data, setData] = useState<ResultOf<M> | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(params !== null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(params);
  // Data belongs to the params it was fetched with: other params never show it.
  const [dataKey, setDataKey] = useState<string | null>(null);
  useEffect(() => {
    if (params === null) return;
    let alive = true;
    setLoading(true);
    client.call(method, params).then(
      (result) => {
        if (!alive) return;
        setData(result);
        setDataKey(key);
        setError(null);
        setLoading(false);
      },
      (err: Error) => {
        if (!alive) return;
        setError(err);
        setDataKey(key);
        setLoading(false);
      },
    );
    return () => {
      alive = false;
    };
  }, [client, method, key, tick, ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = dataKey === key;
  return {
    data: current ? data : undefined,
    error: current ? error : null,
    loading: loading || !current,
    reload,
    set: setData,
  };
}
