/**
 * Routes the OpenTelemetry SDK's own warnings and errors (a failed export: the collector is down
 * or refuses the spans) to the gateway's log, at most one line per `intervalMs`, so an
 * unreachable collector is visible without a line per batch.
 */
import type { DiagLogger } from '@opentelemetry/api';
import type { Logger } from '../logger';

/** Creates a diag logger writing warnings and errors to `logger`, throttled; the SDK's chatter below warn is dropped. */
export function createDiagLogger(logger: Logger, intervalMs = 30_000, now: () => number = Date.now): DiagLogger {
  let last = -Infinity;
  let dropped = 0;
  const write = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => {
    if (now() - last < intervalMs) {
      dropped++;
      return;
    }
    last = now();
    const detail = args.map(describe).filter((d) => d !== '').join(' ');
    logger[level]({ component: 'opentelemetry', ...(dropped > 0 ? { suppressed: dropped } : {}) }, `tracing: ${message}${detail ? ` ${detail}` : ''}`);
    dropped = 0;
  };
  const ignore = () => undefined;
  return { error: write('error'), warn: write('warn'), info: ignore, debug: ignore, verbose: ignore };
}

// A short text for one argument of a diag call (often an Error).
function describe(arg: unknown): string {
  if (arg instanceof Error) return arg.message;
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg)?.slice(0, 300) ?? '';
  } catch {
    return '';
  }
}
