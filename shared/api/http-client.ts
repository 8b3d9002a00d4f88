import { ApiError, isApiErrorShape } from './errors.ts';
import type { ApiClient, CallOptions, MethodName, ParamsOf, ResultOf } from './index.ts';
import type { EngineEvent } from './events.ts';

export interface HttpClientOptions {
  /** Origin of the server, e.g. http://127.0.0.1:8790 ('' for same-origin in the browser). */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
}

/** The HTTP door's client: `POST /api/<method>` with the bearer token. */
export function httpClient({ baseUrl, token, fetch: doFetch = fetch }: HttpClientOptions): ApiClient {
  return {
    async call<M extends MethodName>(method: M, params: ParamsOf<M>, options: CallOptions = {}) {
      const callId = options.onProgress ? randomId() : undefined;
      const unsubscribe = callId && options.onProgress ? progressListener(baseUrl, token, callId, options.onProgress) : null;
      try {
        const res = await doFetch(`${baseUrl}/api/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            ...(callId ? { 'x-call-id': callId } : {}),
          },
          body: JSON.stringify(params ?? {}),
          signal: options.signal ?? null,
        });
        const body: unknown = await res.json().catch(() => null);
        if (!res.ok) {
          const error = (body as { error?: unknown } | null)?.error;
          throw isApiErrorShape(error) ? ApiError.from(error) : new ApiError('internal', `HTTP ${res.status}`);
        }
        return (body as { result: ResultOf<M> }).result;
      } finally {
        unsubscribe?.();
      }
    },
  };
}

/**
 * Reads the server's event stream (`GET /api/events`, server-sent events) and calls `onEvent`
 * for each event until the returned function is called. Reconnects after a lost connection.
 */
export function subscribeEvents(
  baseUrl: string,
  token: string,
  onEvent: (event: EngineEvent) => void,
  onState?: (connected: boolean) => void,
  doFetch: typeof fetch = fetch,
): () => void {
  const controller = new AbortController();
  const run = async () => {
    let delay = 500;
    while (!controller.signal.aborted) {
      try {
        const res = await doFetch(`${baseUrl}/api/events`, {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState?.(true);
        delay = 500;
        await readEventStream(res.body, onEvent);
      } catch {
        if (controller.signal.aborted) return;
      }
      onState?.(false);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return () => controller.abort();
}

async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (e: EngineEvent) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const chunk = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = chunk
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) {
        try {
          onEvent(JSON.parse(data) as EngineEvent);
        } catch {
          // A malformed event is skipped; the stream goes on.
        }
      }
    }
  }
}

function progressListener(baseUrl: string, token: string, callId: string, onProgress: NonNullable<CallOptions['onProgress']>) {
  return subscribeEvents(baseUrl, token, (event) => {
    if (event.type === 'progress' && event.callId === callId) onProgress(event.progress);
  });
}

function randomId(): string {
  return Math.random().toString(36).slice(2) + Date.now().toString(36);
}
