/**
 * The rate-limit stage's caller share across replicas (docs/architecture.md, Fairness, Across
 * replicas), on fake timers: two stages (two replicas) over one store that refuses a caller's
 * booking while it holds `cap` starts not yet due, as the Redis script does. No HTTP, exact times.
 */
import type { Handler, UpstreamRequest } from '../../src/cdn/pipeline';
import { rateLimitStage } from '../../src/cdn/stages/rate-limit';
import { createMemoryLimiter } from '../../src/state/memory';
import type { RateAdaptation } from '../../src/state/adaptive-rate';
import type { Booking, CallerShare, RateLimiterStore } from '../../src/state/types';

afterEach(() => jest.useRealTimers());

// One limiter for both replicas, with the Redis script's caller sets: a start counts until its millisecond has passed.
function sharedStore(): RateLimiterStore & { refusals: number } {
  const inner = createMemoryLimiter(() => Date.now());
  const held = new Map<string, number[]>();
  // One booking at a time, as the script runs atomically.
  let chain: Promise<unknown> = Promise.resolve();
  const store = {
    refusals: 0,
    reserve: inner.reserve,
    book(key: string, limit: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation, share?: CallerShare): Promise<Booking> {
      const booked = chain.then(() => bookNow(key, limit, windowMs, maxWaitMs, adaptation, share));
      chain = booked;
      return booked;
    },
    async release(key: string, start: number, caller?: string) {
      const mine = held.get(`${key} ${caller}`) ?? [];
      const i = mine.indexOf(start);
      if (i >= 0) mine.splice(i, 1);
      return inner.release(key, start);
    },
  };
  async function bookNow(key: string, limit: number, windowMs: number, maxWaitMs: number, adaptation?: RateAdaptation, share?: CallerShare): Promise<Booking> {
      const mine = (held.get(`${key} ${share?.caller}`) ?? []).filter((t) => t >= Date.now());
      if (share && mine.length >= share.cap) {
        store.refusals++;
        return { granted: false, waitMs: Math.min(...mine) - Date.now() + 1, callerFull: true };
      }
      const booking = await inner.book(key, limit, windowMs, maxWaitMs, adaptation);
      if (share && booking.start !== undefined) held.set(`${key} ${share.caller}`, [...mine, booking.start]);
      return booking;
  }
  return store;
}

function replicas(store: RateLimiterStore, events: string[]) {
  const sent: Array<{ replica: number; caller?: string; at: number }> = [];
  const handlers = [0, 1].map((replica) => {
    const next: Handler = async (req) => {
      sent.push({ replica, caller: req.caller, at: Date.now() });
      return { status: 200, headers: {}, body: '{}', json: {} };
    };
    return rateLimitStage({
      limiter: store,
      limits: { detail: 2 },
      windowMs: 1000,
      now: () => Date.now(),
      onQueued: (req) => events.push(`queued ${req.caller}`),
      onDequeued: (req, waitMs) => events.push(`dequeued ${req.caller} ${waitMs > 0 ? 'waited' : 'at once'}`),
      onRejected: (req) => events.push(`rejected ${req.caller}`),
    })(next);
  });
  const detail = (caller: string, requestTag: string, deadline = 60_000, signal?: AbortSignal): UpstreamRequest => ({
    operation: 'detail',
    method: 'GET',
    path: '/v1.0/cdn/historytasks/1/detail',
    deadline,
    caller,
    requestTag,
    signal,
  });
  return { handlers: handlers as [Handler, Handler], detail, sent };
}

describe('caller share across replicas', () => {
  it("puts a newcomer on another replica right behind the flood's one booked slot, not behind its whole backlog", async () => {
    jest.useFakeTimers({ now: 0 });
    const store = sharedStore();
    const { handlers, detail, sent } = replicas(store, []);
    // The flood: ten attempts on replica 0 (two requests). Two start at once (a millisecond apart: one booking at a time), and
    // only one more may be booked ahead.
    const flood = Array.from({ length: 10 }, (_, i) => handlers[0](detail('flood', `r${i % 2}`)));
    await jest.advanceTimersByTimeAsync(10);
    expect(sent).toHaveLength(2);
    // The newcomer on replica 1 books the slot right after the flood's one, though the flood has 7 more waiting.
    const other = handlers[1](detail('other', 'o1'));
    await jest.advanceTimersByTimeAsync(2000);
    await other;
    expect(sent.find((s) => s.caller === 'other')).toEqual({ replica: 1, caller: 'other', at: 1001 });
    await jest.advanceTimersByTimeAsync(10_000);
    await Promise.all(flood);
    // Every flood attempt went, two per window with the newcomer's one among them: the share slows nobody alone.
    expect(sent.filter((s) => s.caller === 'flood').map((s) => s.at)).toEqual([0, 1, 1000, 2000, 2001, 3000, 3001, 4000, 4001, 5000]);
    expect(store.refusals).toBeGreaterThan(0);
  });

  it('refuses at once an attempt whose caller share frees up only after its deadline, and reports the wait once', async () => {
    jest.useFakeTimers({ now: 0 });
    const events: string[] = [];
    const { handlers, detail } = replicas(sharedStore(), events);
    const first = [handlers[0](detail('flood', 'a')), handlers[0](detail('flood', 'a'))];
    await jest.advanceTimersByTimeAsync(5);
    await Promise.all(first);
    // The window is full until 1000 ms: the flood's next attempt holds the slot at 1000 ms.
    const held = handlers[0](detail('flood', 'b'));
    await jest.advanceTimersByTimeAsync(1);
    // Its next one, on the other replica, could book only after 1000 ms: its 500 ms deadline refuses it now.
    const late = handlers[1](detail('flood', 'c', 500)).catch((error: { code?: string; retryAfterMs?: number }) => error);
    await jest.advanceTimersByTimeAsync(0);
    expect(await late).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED' });
    // One that can wait does, unbooked, and starts once the flood's slot at 1000 ms is past.
    const patient = handlers[1](detail('flood', 'd'));
    await jest.advanceTimersByTimeAsync(3000);
    await Promise.all([held, patient]);
    // Each attempt that waited for quota (held, late, patient) is reported queued once and dequeued once, so the queue length
    // returns to 0. The second at 0 ms waited only for the first's millisecond to pass: no wait for quota, not reported.
    expect(events.filter((e) => e === 'rejected flood')).toHaveLength(1);
    expect(events.filter((e) => e === 'queued flood')).toHaveLength(3);
    expect(events.filter((e) => e === 'dequeued flood waited')).toHaveLength(3);
    expect(events.filter((e) => e === 'dequeued flood at once')).toHaveLength(2);
  });

  it('stops waiting for its share when its request is abandoned', async () => {
    jest.useFakeTimers({ now: 0 });
    const { handlers, detail, sent } = replicas(sharedStore(), []);
    const first = [handlers[0](detail('flood', 'a')), handlers[0](detail('flood', 'a'))];
    await jest.advanceTimersByTimeAsync(5);
    await Promise.all(first);
    const held = handlers[0](detail('flood', 'b'));
    const controller = new AbortController();
    const left = handlers[1](detail('flood', 'c', 60_000, controller.signal)).then(
      () => 'sent',
      () => 'left',
    );
    await jest.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await left).toBe('left');
    await jest.advanceTimersByTimeAsync(5000);
    await held;
    expect(sent).toHaveLength(3);
  });
});
