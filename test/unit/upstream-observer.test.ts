/**
 * The upstream observer's log levels (src/http/upstream-observer.ts): upstream failures warn;
 * an attempt its caller abandoned and the upstream's "no such task" answer do not, so that a
 * flood of abandoned lookups cannot turn into a flood of warnings.
 */
import type { UpstreamEvent } from '../../src/cdn/options';
import { UNKNOWN_TASK_CODE } from '../../src/cdn/classify';
import { createUpstreamObserver } from '../../src/http/upstream-observer';
import { createLogger } from '../../src/logger';

function observed(event: Partial<UpstreamEvent>): Array<{ level: number; msg: string }> {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = createLogger('trace', { write: (line: string) => lines.push(JSON.parse(line)) } as never);
  createUpstreamObserver(logger).onEvent({ operation: 'detail', method: 'GET', status: 0, outcome: 'ok', durationMs: 3, attempt: 1, ...event });
  return lines.map(({ level, msg }) => ({ level, msg }));
}

describe('upstream observer log levels', () => {
  it('warns of upstream failures', () => {
    expect(observed({ outcome: 'UPSTREAM_UNAVAILABLE', status: 503 })).toEqual([{ level: 40, msg: 'upstream call failed: UPSTREAM_UNAVAILABLE' }]);
    expect(observed({ outcome: 'UPSTREAM_ERROR', status: 400, upstreamCode: 'CDN.0001' })).toEqual([{ level: 40, msg: 'upstream call failed: UPSTREAM_ERROR' }]);
  });

  it('logs an attempt its caller abandoned at debug, and "no such task" at info', () => {
    expect(observed({ outcome: 'UPSTREAM_TIMEOUT', cancelled: true })).toEqual([{ level: 20, msg: 'upstream call cancelled: its caller went away' }]);
    expect(observed({ outcome: 'UPSTREAM_ERROR', status: 200, upstreamCode: UNKNOWN_TASK_CODE })).toEqual([{ level: 30, msg: 'upstream call: no such task' }]);
    expect(observed({ outcome: 'ok', status: 200 })).toEqual([{ level: 30, msg: 'upstream call' }]);
  });
});
