/** Per-caller daily create caps: the UTC day arithmetic, taking and giving back URLs, and the caller ids they are kept under. */
import { createCreateQuota, nextUtcMidnight, utcDayOf, withinCap } from '../../src/graph/create-quota';
import { callerIdOf } from '../../src/http/caller-id';
import { loadConfig } from '../../src/config';

const NOON = Date.UTC(2026, 11, 1, 12, 0, 0);

describe('UTC day arithmetic', () => {
  it('puts the boundary at 00:00 UTC', () => {
    expect(nextUtcMidnight(NOON)).toBe(Date.UTC(2026, 11, 2));
    expect(nextUtcMidnight(Date.UTC(2026, 11, 2) - 1)).toBe(Date.UTC(2026, 11, 2));
    expect(nextUtcMidnight(Date.UTC(2026, 11, 2))).toBe(Date.UTC(2026, 11, 3));
    expect(utcDayOf(Date.UTC(2026, 11, 2) - 1)).toBe(utcDayOf(NOON));
    expect(utcDayOf(Date.UTC(2026, 11, 2))).toBe(utcDayOf(NOON) + 1);
  });

  it('treats a cap of 0 as no cap', () => {
    expect(withinCap(0, 1_000_000, 1000)).toBe(true);
    expect(withinCap(3, 2, 1)).toBe(true);
    expect(withinCap(3, 2, 2)).toBe(false);
  });
});

describe('createCreateQuota', () => {
  const caps = { files: 3, directories: 1, preheats: 2 };

  it('takes URLs per caller and kind, refusing what would pass the cap without taking it', () => {
    let now = NOON;
    const quota = createCreateQuota({ caps, now: () => now });
    quota.take('a', 'files', 2);
    expect(() => quota.take('a', 'files', 2)).toThrow(
      expect.objectContaining({
        code: 'QUOTA_EXCEEDED',
        message:
          'The create was not sent: caller a may create 3 file refresh URLs per UTC day (CREATE_QUOTA_PER_CALLER_FILES), has used 2 today, ' +
          'and this create adds 2; the count resets at 2026-12-02T00:00:00.000Z.',
        retryAfterMs: 12 * 3600_000,
      }),
    );
    expect(quota.used('a')).toEqual({ files: 2, directories: 0, preheats: 0 });
    quota.take('b', 'files', 3);
    quota.take('a', 'preheats', 2);
    expect(() => quota.take('a', 'preheats', 1)).toThrow(expect.objectContaining({ code: 'QUOTA_EXCEEDED' }));
    now = Date.UTC(2026, 11, 2);
    expect(quota.used('a')).toEqual({ files: 0, directories: 0, preheats: 0 });
    quota.take('a', 'files', 3);
  });

  it('gives URLs back once on release, and not into a new day', () => {
    let now = NOON;
    const quota = createCreateQuota({ caps, now: () => now });
    const ticket = quota.take('a', 'files', 2);
    ticket.release();
    ticket.release();
    expect(quota.used('a').files).toBe(0);
    const late = quota.take('a', 'files', 3);
    now = Date.UTC(2026, 11, 2);
    quota.take('a', 'files', 1);
    late.release();
    expect(quota.used('a').files).toBe(1);
  });

  it('refuses caps that are not whole numbers', () => {
    expect(() => createCreateQuota({ caps: { ...caps, files: -1 } })).toThrow('create quota cap `files` must be a whole number, 0 or more; received -1');
  });

  it('defaults to a quarter of the daily quota and reads CREATE_QUOTA_PER_CALLER_*', () => {
    expect(loadConfig({}).createQuotaPerCaller).toEqual({ files: 500, directories: 25, preheats: 250 });
    expect(
      loadConfig({ CREATE_QUOTA_PER_CALLER_FILES: '0', CREATE_QUOTA_PER_CALLER_DIRECTORIES: '7', CREATE_QUOTA_PER_CALLER_PREHEATS: '9' }).createQuotaPerCaller,
    ).toEqual({ files: 0, directories: 7, preheats: 9 });
    expect(() => loadConfig({ CREATE_QUOTA_PER_CALLER_FILES: 'many' })).toThrow('CREATE_QUOTA_PER_CALLER_FILES: must be a whole number from 0 to 10000000 (got "many")');
  });
});

describe('callerIdOf', () => {
  it('names the API key or JWT subject, else the client address', () => {
    expect(callerIdOf({ kind: 'api-key', keyId: 'key-2' }, '10.0.0.1')).toBe('api-key:key-2');
    expect(callerIdOf({ kind: 'jwt', subject: 'alice' }, '10.0.0.1')).toBe('jwt:alice');
    expect(callerIdOf({ kind: 'jwt' }, '10.0.0.1')).toBe('address:10.0.0.1');
    expect(callerIdOf({ kind: 'anonymous' }, '::1')).toBe('address:::1');
    expect(callerIdOf(undefined, undefined)).toBe('address:unknown');
  });
});
