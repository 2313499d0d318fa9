/**
 * The small pure parts of tracing: what makes a request span an error, how it is named, the
 * log fields outside any span, and the SDK's warnings reaching the log throttled.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { serverFault, spanName } from '../../src/http/request-span';
import { createDiagLogger } from '../../src/telemetry/diag-logger';
import { traceLogFields } from '../../src/telemetry/log-fields';

describe('request span', () => {
  it('is an error for upstream and internal codes and 5xx answers, not for the client’s own mistakes', () => {
    expect(serverFault(200, [])).toBeUndefined();
    expect(serverFault(400, ['GRAPHQL_VALIDATION_FAILED'])).toBeUndefined();
    expect(serverFault(200, ['BAD_USER_INPUT', 'NOT_FOUND', 'QUOTA_EXCEEDED'])).toBeUndefined();
    expect(serverFault(401, ['UNAUTHENTICATED'])).toBeUndefined();
    expect(serverFault(200, ['BAD_USER_INPUT', 'UPSTREAM_RATE_LIMITED', 'UPSTREAM_RATE_LIMITED', 'INTERNAL_SERVER_ERROR'])).toBe('UPSTREAM_RATE_LIMITED, INTERNAL_SERVER_ERROR');
    expect(serverFault(503, [])).toBe('HTTP 503');
  });

  it('is named by operation type and name, as the semantic conventions name GraphQL spans', () => {
    expect(spanName('query', 'RecentTasks')).toBe('query RecentTasks');
    expect(spanName('mutation', null)).toBe('mutation');
  });
});

describe('trace log fields', () => {
  it('are empty outside any span', () => {
    expect(traceLogFields()).toEqual({});
  });
});

describe('SDK diagnostics in the log', () => {
  it('writes warnings and errors at most once per interval, counting those held back, and drops the chatter', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('debug', new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
    let now = 0;
    const diag = createDiagLogger(logger, 30_000, () => now);
    diag.error('Export failed', new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    diag.error('Export failed', new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    diag.info('chatter');
    diag.debug('chatter');
    now = 29_999;
    diag.warn('still failing');
    now = 30_000;
    diag.warn('dropped spans', { count: 3 });
    expect(lines.map((l) => [l.level, l.msg, l.component, l.suppressed])).toEqual([
      [50, 'tracing: Export failed connect ECONNREFUSED 127.0.0.1:4318', 'opentelemetry', undefined],
      [40, 'tracing: dropped spans {"count":3}', 'opentelemetry', 2],
    ]);
  });
});
