import type { ApiClient } from '../../shared/api/index.ts';
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
}

interface PreloadApi {
  call(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

declare global {
  interface Window {
    posterity?: PreloadApi;
  }
}

export function createBridge(): Bridge {
  const preload = window.posterity;
  if (preload) {
    return {
      client: { call: (method, params) => preload.call(method, params) as never },
      subscribe: (onEvent, onState) => {
        onState?.(true);
        return preload.onEvent(onEvent);
      },
      imageUrl: (sha, size) => `posterity-img://${sha}/${size}`,
    };
  }
  const token = readToken();
  return {
    client: httpClient({ baseUrl: '', token }),
    subscribe: (onEvent, onState) => subscribeEvents('', token, onEvent, onState),
    imageUrl: (sha, size) => `/img/${sha}/${size}?token=${encodeURIComponent(token)}`,
  };
}

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
