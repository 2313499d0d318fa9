/** One abort signal for a stretch of work: it fires after a time limit or when an outer signal fires. */

/** Runs `work` with a signal that aborts after `ms` (reason `onTimeout()`) or when `outer` aborts (reason `onOuter(outer.reason)`); the timer and listener are removed when `work` settles. */
export async function withLinkedSignal<T>(
  outer: AbortSignal | undefined,
  ms: number,
  onTimeout: () => unknown,
  onOuter: (reason: unknown) => unknown,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(onTimeout()), ms);
  const onAbort = (): void => controller.abort(onOuter(outer?.reason));
  outer?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}
