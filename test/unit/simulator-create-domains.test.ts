/** The simulator's create endpoints refuse domains the account does not accelerate (CDN.0108), before taking quota or creating anything. */
import { createPreheatTask, createRefreshTask, NOT_ACCELERATED_SUFFIX, type ApiContext } from '../../src/simulator/api';
import { QuotaBook } from '../../src/simulator/quota';
import { Store } from '../../src/simulator/store';

const NOW = Date.UTC(2026, 10, 25, 8);

// A fresh store with no data and a quota of 2 URLs a day for each kind.
function context(): ApiContext {
  return {
    store: new Store({ records: [], tasks: [] }),
    quotas: new QuotaBook({ refreshFile: 2, refreshDirectory: 2, preheat: 2 }),
    now: NOW,
    tenant: 'ak',
    transitionMs: 1000,
  };
}

const refreshBody = (urls: string[]) => JSON.stringify({ refresh_task: { type: 'file', urls } });
const preheatBody = (urls: string[]) => JSON.stringify({ preheating_task: { urls } });
// How many URL records the store holds around NOW.
const recordsNow = (ctx: ApiContext) => ctx.store.queryUrlTasks({ startTime: NOW - 1000, endTime: NOW + 1000 }, 0, 10, NOW).total;
const foreign = `https://img${NOT_ACCELERATED_SUFFIX}/a.png`;

describe('simulated domain-not-accelerated refusals', () => {
  it('answers 200 CDN.0108 for a refresh naming such a domain, and creates nothing', () => {
    const ctx = context();
    expect(createRefreshTask(ctx, refreshBody(['https://cdn.example.com/ok.js', foreign]))).toEqual({
      status: 200,
      body: { error: { error_code: 'CDN.0108', error_msg: `The domain img${NOT_ACCELERATED_SUFFIX} is not accelerated by this account.` } },
    });
    expect(recordsNow(ctx)).toBe(0);
  });

  it('matches the host only (any case, with port or credentials), not the path', () => {
    const ctx = context();
    expect(createPreheatTask(ctx, preheatBody([`http://user@IMG${NOT_ACCELERATED_SUFFIX.toUpperCase()}:8080/x`])).body).toMatchObject({ error: { error_code: 'CDN.0108' } });
    expect(createPreheatTask(ctx, preheatBody([`https://cdn.example.com/img${NOT_ACCELERATED_SUFFIX}`]))).toEqual({ status: 200, body: { preheating_task: expect.stringMatching(/^\d+$/) } });
    expect(recordsNow(ctx)).toBe(1);
  });

  it('takes no quota for a refused call', () => {
    const ctx = context();
    createRefreshTask(ctx, refreshBody([foreign, `${foreign}?2`]));
    expect(createRefreshTask(ctx, refreshBody(['https://cdn.example.com/1', 'https://cdn.example.com/2']))).toEqual({ status: 200, body: { refresh_task: expect.stringMatching(/^\d+$/) } });
    expect(recordsNow(ctx)).toBe(2);
  });
});
