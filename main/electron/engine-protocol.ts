import type { ApiErrorShape, EngineEvent, Progress } from '../../shared/api/index.ts';
import type { ImageRequest } from './image-protocol.ts';

/**
 * Messages between the Electron main process and the engine host (a utility process). Main is
 * a relay: it validates what the window sends, forwards it here, and forwards events back.
 */
export type ToHost =
  | { type: 'init'; dataDir: string; secrets: Record<string, unknown>; secretsProtected: boolean; demo: boolean }
  | { type: 'call'; id: number; method: string; params: unknown; progress: boolean }
  | { type: 'cancel'; id: number }
  | { type: 'image'; id: number; request: ImageRequest }
  | { type: 'shutdown' };

export type FromHost =
  | { type: 'ready'; dataDir: string; demo: boolean }
  | { type: 'fatal'; message: string }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: ApiErrorShape }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'event'; event: EngineEvent }
  | { type: 'secret'; key: string; value: unknown }
  | { type: 'closed' };

type Reply = Extract<FromHost, { type: 'reply' }>;

interface Pending {
  resolve(reply: Reply): void;
  onProgress: ((p: Progress) => void) | undefined;
}

/**
 * Correlates requests with replies over a message port. When the host goes away every pending
 * request is answered with an error, so no caller waits forever.
 */
export class RequestTracker {
  #next = 1;
  readonly #pending = new Map<number, Pending>();

  /** Registers a request; `send` posts it with the id it was given (also the id to cancel it). */
  request(send: (id: number) => void, onProgress?: (p: Progress) => void): { id: number; reply: Promise<Reply> } {
    const id = this.#next++;
    const reply = new Promise<Reply>((resolve) => {
      this.#pending.set(id, { resolve, onProgress });
      try {
        send(id);
      } catch (err) {
        this.#pending.delete(id);
        resolve({
          type: 'reply',
          id,
          ok: false,
          error: { code: 'internal', message: `The engine is not reachable: ${(err as Error).message}` },
        });
      }
    });
    return { id, reply };
  }

  /** Routes a reply or progress message; returns false for anything else. */
  receive(message: FromHost): boolean {
    if (message.type === 'reply') {
      const pending = this.#pending.get(message.id);
      if (!pending) return true;
      this.#pending.delete(message.id);
      pending.resolve(message);
      return true;
    }
    if (message.type === 'progress') {
      this.#pending.get(message.id)?.onProgress?.(message.progress);
      return true;
    }
    return false;
  }

  /** Fails every pending request (the host exited or crashed). */
  failAll(message: string): void {
    for (const [id, pending] of this.#pending)
      pending.resolve({ type: 'reply', id, ok: false, error: { code: 'internal', message } });
    this.#pending.clear();
  }

  get size(): number {
    return this.#pending.size;
  }
}
