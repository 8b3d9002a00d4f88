import type { EngineEvent } from '../../shared/api/events.ts';

export type EventListener = (event: EngineEvent) => void;

/** A tiny synchronous pub/sub; doors subscribe and forward events to their clients. */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not stop the others or the engine.
      }
    }
  }
}
