/**
 * Polling with a deadline, the one way tests wait for something that happens on its own time
 * (a log line written, a record settled, a cache write that the caller does not await): no test
 * sleeps a fixed delay and hopes.
 */

/** Options of `eventually`. */
export interface EventuallyOptions {
  /** Gives up after this long, with the last failure. @default 5000 */
  readonly timeoutMs?: number;
  /** Pause between tries. @default 20 */
  readonly intervalMs?: number;
}

/**
 * Calls `fn` until it returns without throwing (an `expect` inside it failing counts as
 * throwing) and resolves with what it returned; after `timeoutMs` rejects with the last error,
 * so that a miss reads like the assertion that never held.
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() >= deadline) {
        if (error instanceof Error) error.message = `still failing after ${tries} tries over ${timeoutMs} ms: ${error.message}`;
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
