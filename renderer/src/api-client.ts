// Values from errors.ts only: index.ts holds the zod schemas, which the window never needs.
import { ApiError, isApiErrorShape } from '../../shared/api/errors.ts';
import type { ApiClient, CallOptions, MethodName, ParamsOf, ResultOf } from '../../shared/api/index.ts';
import type { EngineEvent } from '../../shared/api/events.ts';
import { httpClient, subscribeEvents } from '../../shared/api/http-client.ts';

/**
 * The renderer's only way to the engine. In Electron the preload exposes `window.posterity`;
 * in a browser (`posterity serve`) the HTTP door is used, with the token from the URL fragment.
 */
export interface Bridge {
  client: ApiClient;
  subscribe(onEvent: (event: EngineEvent) => void, onState?: (connected: boolean) => void): () => void;
  /** URL of a cached image by hash, at a thumbnail size or full. */
  imageUrl(sha256: string, size: 'thumb' | 'full'): string;
  /** Menu commands from the desktop app (never called in a browser). */
  onMenu(listener: (command: string) => void): () => void;
  /** A local path for a dropped or picked file, where the runtime can give one (desktop only). */
  pathForFile(file: File): string | null;
  /** The system's folder dialog (desktop only; a browser cannot hand out local paths). */
  pickFolder: (() => Promise<string | null>) | null;
  /** 'desktop' inside Electron, 'browser' with `posterity serve`. */
  runtime: 'desktop' | 'browser';
  /** The browser door's address and token (uploads go over plain HTTP); null on the desktop. */
  http: { baseUrl: string; token: string } | null;
}

/** What the preload exposes as `window.posterity` (main/electron/preload.ts). */
interface PreloadApi {
  call(method: string, params: unknown, callId?: string): Promise<unknown>;
  cancel(callId: string): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  onMenu(listener: (command: unknown) => void): () => void;
  pathForFile(file: File): string;
  pickFolder(): Promise<string | null>;
}

declare global {
  interface Window {
    posterity?: PreloadApi;
  }
}

export function createBridge(): Bridge {
  const preload = window.posterity;
  if (preload) return desktopBridge(preload);
  const token = launchToken;
  return {
    client: httpClient({ baseUrl: '', token }),
    subscribe: (onEvent, onState) => subscribeEvents('', token, onEvent, onState),
    imageUrl: (sha, size) => `/img/${sha}/${size}?token=${encodeURIComponent(token)}`,
    onMenu: () => () => {},
    pathForFile: () => null,
    pickFolder: null,
    runtime: 'browser',
    http: { baseUrl: '', token },
  };
}

function desktopBridge(preload: PreloadApi): Bridge {
  const progressListeners = new Map<string, NonNullable<CallOptions['onProgress']>>();
  // One subscription for progress of every call; views subscribe separately for their events.
  preload.onEvent((event) => {
    const e = event as EngineEvent;
    if (e && e.type === 'progress') progressListeners.get(e.callId)?.(e.progress);
  });
  const client: ApiClient = {
    async call<M extends MethodName>(method: M, params: ParamsOf<M>, options: CallOptions = {}): Promise<ResultOf<M>> {
      const callId = options.onProgress || options.signal ? randomId() : undefined;
      if (callId && options.onProgress) progressListeners.set(callId, options.onProgress);
      const onAbort = () => void (callId && preload.cancel(callId));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const reply = (await preload.call(method, params ?? {}, callId)) as
          { ok: true; result: ResultOf<M> } | { ok: false; error: unknown } | null;
        if (reply && reply.ok) return reply.result;
        const error = reply && !reply.ok ? reply.error : null;
        throw isApiErrorShape(error) ? ApiError.from(error) : new ApiError('internal', 'The engine did not answer');
      } finally {
        if (callId) progressListeners.delete(callId);
        options.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
  return {
    client,
    subscribe: (onEvent, onState) => {
      onState?.(true);
      return preload.onEvent((event) => onEvent(event as EngineEvent));
    },
    imageUrl: (sha, size) => `posterity-img://${sha}/${size}`,
    onMenu: (listener) => preload.onMenu((command) => typeof command === 'string' && listener(command)),
    pathForFile: (file) => {
      try {
        return preload.pathForFile(file) || null;
      } catch {
        return null;
      }
    },
    pickFolder: () => preload.pickFolder(),
    runtime: 'desktop',
    http: null,
  };
}

/**
 * Taken when this module loads, before the first render: the address's fragment carries the
 * token only until the app (or anything else) navigates, which can happen before React renders.
 */
const launchToken = readToken();

function readToken(): string {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('posterity-token', fromHash);
    // Keep the token out of the address bar (screenshots, shared links).
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem('posterity-token') ?? '';
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
