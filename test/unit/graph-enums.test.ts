/** Upstream strings to schema enums: known values in any case, anything else UNKNOWN; UNKNOWN is never a filter. */
import { GatewayError } from '../../src/errors';
import { checkFilterEnum, checkTaskTypeFilter, fromTaskStatus, toFailClassify, toFileType, toRefreshMode, toTaskStatus, toTaskType, toUrlTaskStatus } from '../../src/graph/enums';

// Returns the error a call throws (fails the test when it does not throw).
function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('toUrlTaskStatus', () => {
  it.each([
    ['SUCCEED', 'SUCCEED'],
    ['succeed', 'SUCCEED'],
    ['Processing', 'PROCESSING'],
    ['FAILED', 'FAILED'],
    ['waiting', 'WAITING'],
    ['REFRESHING', 'REFRESHING'],
    ['preheating', 'PREHEATING'],
  ])('maps %s to %s', (upstream, expected) => {
    expect(toUrlTaskStatus(upstream)).toBe(expected);
  });

  it.each(['CANCELLED', 'task_done', '', ' SUCCEED', 'UNKNOWN?'])('maps the unknown value %j to UNKNOWN', (upstream) => {
    expect(toUrlTaskStatus(upstream)).toBe('UNKNOWN');
  });
});

describe('toTaskType', () => {
  it.each([
    ['REFRESH', 'REFRESH'],
    ['refresh', 'REFRESH'],
    ['preheating', 'PREHEATING'],
    ['PREHEATING', 'PREHEATING'],
    ['REFRESH_AFTER_PREHEATING', 'REFRESH_AFTER_PREHEATING'],
  ])('maps %s to %s', (upstream, expected) => {
    expect(toTaskType(upstream)).toBe(expected);
  });

  it.each(['PREHEAT', 'purge', ''])('maps the unknown value %j to UNKNOWN', (upstream) => {
    expect(toTaskType(upstream)).toBe('UNKNOWN');
  });
});

describe('toFileType', () => {
  it.each([
    ['file', 'FILE'],
    ['FILE', 'FILE'],
    ['directory', 'DIRECTORY'],
  ])('maps %s to %s', (upstream, expected) => {
    expect(toFileType(upstream)).toBe(expected);
  });

  it.each([['folder'], ['']])('maps %j to UNKNOWN', (upstream) => {
    expect(toFileType(upstream)).toBe('UNKNOWN');
  });
});

describe('absent upstream values', () => {
  it('map to null, not UNKNOWN: the upstream did not say', () => {
    expect([toUrlTaskStatus(null), toTaskType(null), toFileType(null), toTaskStatus(null), toRefreshMode(null), toFailClassify(null)]).toEqual([
      null, null, null, null, null, null,
    ]);
  });
});

describe('toFailClassify', () => {
  it.each([
    ['ORIGIN_ERROR', 'ORIGIN_ERROR'],
    ['inner_error', 'INNER_ERROR'],
    ['UNKNOWN_ERROR', 'UNKNOWN_ERROR'],
    ['DNS_ERROR', 'UNKNOWN'],
  ])('maps %s to %s', (upstream, expected) => {
    expect(toFailClassify(upstream)).toBe(expected);
  });
});

describe('checkTaskTypeFilter', () => {
  it('passes REFRESH and PREHEATING and refuses what the CDN cannot filter by, naming the value', () => {
    expect(checkTaskTypeFilter('REFRESH')).toBe('REFRESH');
    expect(checkTaskTypeFilter('PREHEATING')).toBe('PREHEATING');
    const error = thrown(() => checkTaskTypeFilter('REFRESH_AFTER_PREHEATING'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/REFRESH or PREHEATING only; REFRESH_AFTER_PREHEATING/);
    expect(thrown(() => checkTaskTypeFilter('UNKNOWN')).message).toMatch(/filter\.taskType: UNKNOWN/);
  });
});

describe('toRefreshMode', () => {
  it.each([
    ['all', 'ALL'],
    ['detect_modify_refresh', 'DETECT_MODIFY_REFRESH'],
    ['DETECT_MODIFY_REFRESH', 'DETECT_MODIFY_REFRESH'],
    ['smart', 'UNKNOWN'],
  ])('maps %s to %s', (upstream, expected) => {
    expect(toRefreshMode(upstream)).toBe(expected);
  });

  it.each([[null], ['']])('maps an absent mode (%j) to null', (upstream) => {
    expect(toRefreshMode(upstream)).toBeNull();
  });
});

describe('toTaskStatus and fromTaskStatus', () => {
  it.each([
    ['task_inprocess', 'IN_PROCESS'],
    ['task_done', 'DONE'],
    ['TASK_DONE', 'DONE'],
    ['task_failed', 'UNKNOWN'],
    ['DONE', 'UNKNOWN'],
    ['', 'UNKNOWN'],
    // Plain object lookups must not see inherited keys.
    ['constructor', 'UNKNOWN'],
    ['__proto__', 'UNKNOWN'],
  ])('maps %j to %s', (upstream, expected) => {
    expect(toTaskStatus(upstream)).toBe(expected);
  });

  it('maps the filter values back to the upstream ones', () => {
    expect(fromTaskStatus('IN_PROCESS')).toBe('task_inprocess');
    expect(fromTaskStatus('DONE')).toBe('task_done');
  });

  it('refuses UNKNOWN as a status filter with BAD_USER_INPUT', () => {
    const err = thrown(() => fromTaskStatus('UNKNOWN'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('filter.status: UNKNOWN only describes values the gateway does not know and cannot be used as a filter');
  });
});

describe('checkFilterEnum', () => {
  it('passes known values through', () => {
    expect(checkFilterEnum('status', 'SUCCEED')).toBe('SUCCEED');
    expect(checkFilterEnum('fileType', 'DIRECTORY')).toBe('DIRECTORY');
  });

  it.each(['status', 'taskType', 'fileType'])('refuses UNKNOWN as filter.%s with BAD_USER_INPUT naming the field', (field) => {
    const err = thrown(() => checkFilterEnum(field, 'UNKNOWN'));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toContain(`filter.${field}: UNKNOWN`);
  });
});
