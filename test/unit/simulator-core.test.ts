/** The simulator's pure parts: the seeded data set, record timelines, the sliding window, fault draws, quotas. */
import { DATASET_DAYS, generateDataset } from '../../src/simulator/dataset';
import { drawFault, defaultFaults, parseFaultConfig } from '../../src/simulator/faults';
import { isLoopbackAddress } from '../../src/simulator/control';
import { modifyTimeAt, statusAt, taskCountsAt, type UrlRecord } from '../../src/simulator/model';
import { QuotaBook } from '../../src/simulator/quota';
import { DEFAULT_RATE_LIMITS, RateLimiter } from '../../src/simulator/ratelimit';
import { Store } from '../../src/simulator/store';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const DAY = 86_400_000;

describe('the seeded data set', () => {
  const dataset = generateDataset({ seed: 1, records: 40_000, now: NOW });

  it('is the same for the same seed and different for another', () => {
    const again = generateDataset({ seed: 1, records: 40_000, now: NOW });
    expect(again.records.slice(0, 50)).toEqual(dataset.records.slice(0, 50));
    expect(again.records.at(-1)).toEqual(dataset.records.at(-1));
    const other = generateDataset({ seed: 2, records: 40_000, now: NOW });
    expect(other.records.slice(0, 50).map((r) => r.url)).not.toEqual(dataset.records.slice(0, 50).map((r) => r.url));
  });

  it('holds the requested number of records over the 31 days before now, ids increasing with create_time', () => {
    expect(dataset.records).toHaveLength(40_000);
    const first = dataset.records[0] as UrlRecord;
    const last = dataset.records.at(-1) as UrlRecord;
    expect(first.createTime).toBeGreaterThanOrEqual(NOW - DATASET_DAYS * DAY);
    expect(last.createTime).toBeLessThan(NOW);
    const disordered = dataset.records.filter((b, i) => {
      const a = dataset.records[i - 1];
      return a !== undefined && !(b.id > a.id && b.createTime >= a.createTime);
    });
    expect(disordered).toEqual([]);
  });

  it('groups records into tasks of 1 to 1000 URLs sharing task_id, type and create_time within a few ms', () => {
    const sizes = dataset.tasks.map((t) => t.records.length);
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(Math.max(...sizes)).toBeGreaterThan(100);
    // Skewed: most tasks are small.
    expect(sizes.filter((n) => n <= 5).length / sizes.length).toBeGreaterThan(0.6);
    const strays = dataset.tasks.flatMap((task) =>
      task.records.filter((r) => r.taskId !== task.id || r.type !== task.type || r.fileType !== task.fileType || r.createTime - task.createTime > 4),
    );
    expect(strays).toEqual([]);
  });

  it('has directories only among refreshes, each with a mode, and a mode on only a few files', () => {
    const directories = dataset.records.filter((r) => r.fileType === 'directory');
    expect(directories.length).toBeGreaterThan(0);
    expect(directories.every((r) => r.type === 'REFRESH' && (r.mode === 'all' || r.mode === 'detect_modify_refresh'))).toBe(true);
    const files = dataset.records.filter((r) => r.fileType === 'file');
    const withMode = files.filter((r) => r.mode !== undefined).length;
    expect(withMode).toBeGreaterThan(0);
    expect(withMode / files.length).toBeLessThan(0.1);
    expect(dataset.records.some((r) => r.type === 'PREHEATING')).toBe(true);
  });

  it('is mostly SUCCEED, partly FAILED, with work still in progress near now', () => {
    const counts = new Map<string, number>();
    for (const r of dataset.records) counts.set(statusAt(r, NOW), (counts.get(statusAt(r, NOW)) ?? 0) + 1);
    expect((counts.get('SUCCEED') ?? 0) / dataset.records.length).toBeGreaterThan(0.85);
    expect(counts.get('FAILED') ?? 0).toBeGreaterThan(100);
    const inFlight = dataset.records.filter((r) => !['SUCCEED', 'FAILED'].includes(statusAt(r, NOW)));
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.every((r) => r.createTime > NOW - 2 * DAY)).toBe(true);
  });
});

describe('a record timeline', () => {
  const record: UrlRecord = {
    id: 1,
    url: 'https://a.example/x.jpg',
    type: 'REFRESH',
    taskId: 9,
    createTime: 10_500,
    fileType: 'file',
    waitUntil: 12_000,
    settleAt: 15_200,
    active: 'REFRESHING',
    final: 'FAILED',
    failure: { classify: 'ORIGIN_ERROR', desc: 'origin' },
  };

  it('moves WAITING, then active, then final, with modify_time at the last transition in whole seconds', () => {
    expect([statusAt(record, 11_999), modifyTimeAt(record, 11_999)]).toEqual(['WAITING', 11_000]);
    expect([statusAt(record, 12_000), modifyTimeAt(record, 12_000)]).toEqual(['REFRESHING', 12_000]);
    expect([statusAt(record, 15_200), modifyTimeAt(record, 15_200)]).toEqual(['FAILED', 16_000]);
  });

  it('keeps a fixed status whatever the clock says, and task counts follow it', () => {
    const task = { id: 9, type: 'REFRESH' as const, fileType: 'file' as const, createTime: 10_500, records: [{ ...record }] };
    expect(taskCountsAt(task, 20_000)).toEqual({ processing: 0, succeed: 0, failed: 1, total: 1 });
    const store = new Store({ records: task.records, tasks: [task] });
    store.patchRecord(1, 'PROCESSING', 30_000);
    expect(taskCountsAt(task, 40_000)).toEqual({ processing: 1, succeed: 0, failed: 0, total: 1 });
    expect(modifyTimeAt(task.records[0] as UrlRecord, 40_000)).toBe(30_000);
  });
});

describe('the store', () => {
  it('keeps id-descending order when a record is inserted into the past', () => {
    const store = new Store(generateDataset({ seed: 1, records: 2000, now: NOW }));
    const window = { startTime: NOW - DAY, endTime: NOW };
    const before = store.queryUrlTasks(window, 0, 100, NOW);
    const task = store.addTask({ type: 'REFRESH', fileType: 'file', urls: ['https://a.example/late'], createTime: NOW - DAY, transitionMs: 0 });
    const after = store.queryUrlTasks(window, 0, 100, NOW);
    expect(after.total).toBe(before.total + 1);
    expect(after.items[0]?.taskId).toBe(task.id);
    const ids = after.items.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });
});

describe('the sliding-window rate limiter', () => {
  it('accepts `limit` calls in any second per tenant and operation, and records the peak', () => {
    const limiter = new RateLimiter();
    const accepted = [0, 100, 200, 300, 400, 500, 999.9, 1000, 1100.5].map((t) => limiter.tryAcquire('a', 'url-tasks', 5, t));
    expect(accepted).toEqual([true, true, true, true, true, false, false, true, true]);
    expect(limiter.tryAcquire('b', 'url-tasks', 5, 500)).toBe(true);
    expect(limiter.tryAcquire('a', 'detail', 5, 500)).toBe(true);
    // Tenants a and b together: 5 + 1 in the second ending at 500.
    expect(limiter.peaks()).toEqual({ 'url-tasks': 6, historytasks: 0, detail: 1, refresh: 0, preheat: 0 });
  });

  it('never refuses with a limit of 0', () => {
    const limiter = new RateLimiter();
    expect(Array.from({ length: 50 }, () => limiter.tryAcquire('a', 'detail', 0, 1)).every(Boolean)).toBe(true);
    expect(limiter.peaks().detail).toBe(50);
  });
});

describe('fault decisions', () => {
  it('always fires at rate 1, never at rate 0, and draws nothing for zero rates', () => {
    let draws = 0;
    const random = (): number => {
      draws++;
      return 0.999;
    };
    expect(drawFault(defaultFaults(DEFAULT_RATE_LIMITS), random)).toBe('none');
    expect(draws).toBe(0);
    expect(drawFault({ ...defaultFaults(DEFAULT_RATE_LIMITS), malformedRate: 1 }, random)).toBe('malformed');
    expect(drawFault({ ...defaultFaults(DEFAULT_RATE_LIMITS), timeoutRate: 1, resetRate: 1 }, random)).toBe('timeout');
  });

  it.each<[string, unknown, string]>([
    ['an unknown field', { errorrate: 1 }, 'unknown fault field(s): errorrate'],
    ['a rate above 1', { errorRate: 2 }, 'errorRate must be a number from 0 to 1, got 2'],
    ['a success status', { errorStatus: 200 }, 'errorStatus must be an HTTP error status from 400 to 599, got 200'],
    ['an unknown operation', { operations: ['urls'] }, 'operations must be an array of url-tasks, historytasks, detail, refresh, preheat, got ["urls"]'],
    ['a negative rate limit', { rateLimits: { detail: -1 } }, 'rateLimits.detail must be a non-negative integer (0 = unlimited), got -1'],
    ['an empty errorCode', { errorCode: '' }, 'errorCode must be a non-empty string of at most 65536 characters, got ""'],
    ['a numeric errorMessage', { errorMessage: 7 }, 'errorMessage must be a non-empty string of at most 65536 characters, got 7'],
  ])('refuses a configuration with %s', (_name, input, message) => {
    expect(parseFaultConfig(input, DEFAULT_RATE_LIMITS)).toEqual({ ok: false, message });
  });

  it('fills omitted fields with defaults and merges rate limits over the baseline', () => {
    const parsed = parseFaultConfig({ errorRate: 0.5, rateLimits: { detail: 0 } }, DEFAULT_RATE_LIMITS);
    expect(parsed).toEqual({ ok: true, value: { ...defaultFaults(DEFAULT_RATE_LIMITS), errorRate: 0.5, rateLimits: { ...DEFAULT_RATE_LIMITS, detail: 0 } } });
  });
});

describe('the control API caller check', () => {
  it.each<[string | undefined, boolean]>([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.5', false],
    ['::ffff:192.168.1.2', false],
    ['fe80::1', false],
    [undefined, false],
  ])('treats %s as loopback: %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});

describe('daily quotas', () => {
  it('refuses a call that would pass the limit, takes nothing then, and starts over on a new UTC day', () => {
    const book = new QuotaBook({ refreshFile: 10, refreshDirectory: 1, preheat: 5 });
    expect(book.tryConsume('a', 'refreshFile', 8, NOW)).toEqual({ ok: true });
    expect(book.tryConsume('a', 'refreshFile', 3, NOW)).toEqual({ ok: false, used: 8, limit: 10 });
    expect(book.tryConsume('a', 'refreshFile', 2, NOW)).toEqual({ ok: true });
    expect(book.tryConsume('b', 'refreshFile', 10, NOW)).toEqual({ ok: true });
    expect(book.tryConsume('a', 'refreshFile', 10, NOW + DAY)).toEqual({ ok: true });
  });
});
