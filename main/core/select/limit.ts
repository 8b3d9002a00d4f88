/**
 * Runs `fn` over `items` with at most `limit` calls in flight, in input order of start. Stops
 * starting new work once `signal` aborts; work already running finishes. Rejects with the first
 * error `fn` throws (callers that must not stop catch inside `fn`).
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
