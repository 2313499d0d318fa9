/**
 * The rate-limit stage's bounded booking and release (docs/architecture.md, Fairness), on fake
 * timers and a memory limiter that counts what it books and releases: no HTTP, exact counts.
 */
import type { Handler, UpstreamRequest } from '../../src/cdn/pipeline';
import { rateLimitStage } from '../../src/cdn/stages/rate-limit';
import { createMemoryLimiter } from '../../src/state/memory';

afterEach(() => jest.useRealTimers());

function setup(maxQueuedPerRequest: number, limit: number) {
  const inner = createMemoryLimiter(() => Date.now());
  const counts = { booked: 0, released: 0 };
  const limiter = {
    reserve: inner.reserve,
    book: async (...args: Parameters<typeof inner.book>) => {
      const b = await inner.book(...args);
      if (b.granted) counts.booked++;
      return b;
    },
    release: async (key: string, start: number) => {
      counts.released++;
      return inner.release(key, start);
    },
  };
  const sent: Array<{ caller?: string; at: number }> = [];
  const next: Handler = async (req) => {
    sent.push({ caller: req.caller, at: Date.now() });
    return { status: 200, headers: {}, body: '{}', json: {} };
  };
  const handler = rateLimitStage({ limiter, limits: { detail: limit }, windowMs: 1000, maxQueuedPerRequest, now: () => Date.now() })(next);
  const detail = (caller: string, requestTag: string, signal?: AbortSignal): UpstreamRequest => ({
    operation: 'detail',
    method: 'GET',
    path: '/v1.0/cdn/historytasks/1/detail',
    deadline: 60_000,
    caller,
    requestTag,
    signal,
  });
  return { handler, detail, counts, sent };
}

describe('bounded booking', () => {
  it('lets one request hold at most its cap of booked slots; its other attempts book as its own start', async () => {
    jest.useFakeTimers({ now: 0 });
    const { handler, detail, counts, sent } = setup(2, 2);
    const calls = Array.from({ length: 6 }, () => handler(detail('flood', 'r1')));
    await jest.advanceTimersByTimeAsync(0);
    // Two start at once (the window has room), and only two more are booked (the cap), not all four.
    expect(sent).toHaveLength(2);
    expect(counts.booked).toBe(4);
    await jest.advanceTimersByTimeAsync(3000);
    await Promise.all(calls);
    expect(sent.map((s) => s.at)).toEqual([0, 0, 1000, 1000, 2000, 2000]);
    expect(counts).toEqual({ booked: 6, released: 0 });
  });

  it("serves another caller's attempt before a request's unbooked backlog", async () => {
    jest.useFakeTimers({ now: 0 });
    const { handler, detail, sent } = setup(2, 2);
    const flood = Array.from({ length: 8 }, () => handler(detail('flood', 'r1')));
    await jest.advanceTimersByTimeAsync(10);
    const other = handler(detail('other', 'r2'));
    await jest.advanceTimersByTimeAsync(5000);
    await Promise.all([...flood, other]);
    // The other caller's one attempt goes in the first window with room, not after the flood's eight.
    expect(sent.findIndex((s) => s.caller === 'other')).toBeLessThanOrEqual(3);
  });

  it('releases the slots of an abandoned request at once, so the next caller gets them', async () => {
    jest.useFakeTimers({ now: 0 });
    const { handler, detail, counts, sent } = setup(4, 4);
    const controller = new AbortController();
    // Four start now; four more are booked for 1000 ms, then the request is abandoned.
    const flood = Array.from({ length: 8 }, () => handler(detail('flood', 'r1', controller.signal)).catch(() => 'left'));
    await jest.advanceTimersByTimeAsync(10);
    expect(counts.booked).toBe(8);
    controller.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(counts.released).toBe(4);
    expect((await Promise.all(flood)).filter((r) => r === 'left')).toHaveLength(4);
    // The next caller takes a released slot at 1000 ms, not one at 2000 ms behind the abandoned bookings.
    const other = handler(detail('other', 'r2'));
    await jest.advanceTimersByTimeAsync(1000);
    await other;
    expect(sent.at(-1)).toEqual({ caller: 'other', at: 1000 });
  });
});

describe('bounded booking per caller', () => {
  it("lets one caller's requests together hold at most the caller cap of booked slots", async () => {
    jest.useFakeTimers({ now: 0 });
    const inner = createMemoryLimiter(() => Date.now());
    let booked = 0;
    const limiter = {
      reserve: inner.reserve,
      book: async (...args: Parameters<typeof inner.book>) => {
        const b = await inner.book(...args);
        if (b.granted) booked++;
        return b;
      },
      release: inner.release,
    };
    const sent: string[] = [];
    const next: Handler = async (req) => {
      sent.push(`${req.caller}/${req.requestTag}`);
      return { status: 200, headers: {}, body: '{}', json: {} };
    };
    // Limit 2 a window, 2 places a request, 3 a caller: of the flood's 3 requests of 4 attempts, 2 start at once and
    // 3 more hold booked slots (the caller cap), not 6 (two per request).
    const handler = rateLimitStage({ limiter, limits: { detail: 2 }, windowMs: 1000, maxQueuedPerRequest: 2, maxQueuedPerCaller: 3, now: () => Date.now() })(next);
    const detail = (caller: string, requestTag: string): UpstreamRequest => ({ operation: 'detail', method: 'GET', path: '/v1.0/cdn/historytasks/1/detail', deadline: 60_000, caller, requestTag });
    const calls = ['r1', 'r2', 'r3'].flatMap((tag) => Array.from({ length: 4 }, () => handler(detail('flood', tag))));
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(2);
    expect(booked).toBe(5);
    // Another caller still books its own slot at once and is served before the flood's unbooked backlog.
    const other = handler(detail('other', 'o1'));
    await jest.advanceTimersByTimeAsync(0);
    expect(booked).toBe(6);
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent.slice(2)).toContain('other/o1');
    await jest.advanceTimersByTimeAsync(10_000);
    await Promise.all([...calls, other]);
    expect(sent).toHaveLength(13);
    expect(booked).toBe(13);
  });
});
