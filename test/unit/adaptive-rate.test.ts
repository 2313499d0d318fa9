/**
 * The adapted rate (src/state/adaptive-rate.ts): halved once per window by upstream throttles,
 * climbing back by one per `recoveryMs`, never above the configured limit nor below one call;
 * and the memory limiter that books with it.
 */
import fc from 'fast-check';
import { adaptRate, currentRate, effectiveLimit, isLowered, MIN_RATE, recoveryTimeMs, type AdaptedRate, type RateAdaptation } from '../../src/state/adaptive-rate';
import { createMemoryLimiter } from '../../src/state/memory';

const OPTS: RateAdaptation = { decrease: 0.5, recoveryMs: 2000, holdMs: 1200 };

const adaptation = fc.record({
  decrease: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
  recoveryMs: fc.integer({ min: 100, max: 60_000 }),
  holdMs: fc.integer({ min: 0, max: 5000 }),
});
// A run of throttles: each attempt sent some time before it was answered, answers in time order.
const throttles = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 10_000 }), flight: fc.integer({ min: 0, max: 3000 }) }), { maxLength: 40 });

// Applies a run of throttles from time 0; returns every state on the way.
function run(ceiling: number, opts: RateAdaptation, steps: Array<{ gap: number; flight: number }>): Array<{ state: AdaptedRate | undefined; at: number }> {
  let state: AdaptedRate | undefined;
  let at = 0;
  const out: Array<{ state: AdaptedRate | undefined; at: number }> = [{ state, at }];
  for (const { gap, flight } of steps) {
    at += gap;
    state = adaptRate(state, ceiling, opts, { sentAt: at - flight, at });
    out.push({ state, at });
  }
  return out;
}

describe('adaptRate and currentRate', () => {
  it('keeps the rate between one call and the configured limit, whatever the throttles and the time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), adaptation, throttles, fc.integer({ min: 0, max: 100_000 }), (ceiling, opts, steps, later) => {
        for (const { state, at } of run(ceiling, opts, steps)) {
          for (const t of [at, at + later]) {
            const rate = currentRate(state, ceiling, opts, t);
            expect(rate).toBeGreaterThanOrEqual(Math.min(MIN_RATE, ceiling));
            expect(rate).toBeLessThanOrEqual(ceiling);
            expect(effectiveLimit(rate)).toBeLessThanOrEqual(Math.max(MIN_RATE, ceiling));
          }
        }
      }),
    );
  });

  it('lowers the rate in force by the factor when the throttled attempt was sent a hold after the last decrease (or none was made)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), adaptation, throttles, fc.integer({ min: 0, max: 20_000 }), (ceiling, opts, steps, gap) => {
        const states = run(ceiling, opts, steps);
        const { state, at: last } = states[states.length - 1]!;
        const at = last + opts.holdMs + gap;
        const before = currentRate(state, ceiling, opts, at);
        const after = adaptRate(state, ceiling, opts, { sentAt: at - gap, at });
        expect(after).toEqual({ rate: Math.max(MIN_RATE, before * opts.decrease), at });
      }),
    );
  });

  it('ignores a throttle of an attempt sent within the hold after the last decrease (booked, or counted upstream, before it)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), adaptation, fc.double({ min: 1, max: 1000, noNaN: true }), fc.nat(100_000), fc.nat(), (ceiling, opts, rate, at, offset) => {
        const state = { rate, at };
        const sentAt = at - 5000 + (offset % (opts.holdMs + 5000));
        fc.pre(sentAt < at + opts.holdMs);
        expect(adaptRate(state, ceiling, opts, { sentAt, at: Math.max(at, sentAt) + 10 })).toBe(state);
      }),
    );
  });

  it('climbs back by one per recoveryMs, never decreasing with time, and is forgotten at the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), adaptation, fc.double({ min: 1, max: 100, noNaN: true }), fc.nat(1_000_000), fc.nat(1_000_000), (ceiling, opts, rate, a, b) => {
        const state = { rate: Math.min(rate, ceiling), at: 0 };
        const [early, late] = a <= b ? [a, b] : [b, a];
        expect(currentRate(state, ceiling, opts, late)).toBeGreaterThanOrEqual(currentRate(state, ceiling, opts, early));
        const back = recoveryTimeMs(state.rate, ceiling, opts);
        expect(currentRate(state, ceiling, opts, back)).toBe(ceiling);
        expect(isLowered(state, ceiling, opts, back)).toBe(false);
      }),
    );
  });

  it('halves 5 to 2.5 on the first throttle, once for a burst, then climbs a call every 2 s', () => {
    const first = adaptRate(undefined, 5, OPTS, { sentAt: 990, at: 1000 });
    expect(first).toEqual({ rate: 2.5, at: 1000 });
    // The same window's other 429s (sent before the decrease) and attempts sent within the hold change nothing.
    expect(adaptRate(first, 5, OPTS, { sentAt: 995, at: 1010 })).toBe(first);
    expect(adaptRate(first, 5, OPTS, { sentAt: 2100, at: 2150 })).toBe(first);
    expect(effectiveLimit(currentRate(first, 5, OPTS, 1000))).toBe(2);
    expect(effectiveLimit(currentRate(first, 5, OPTS, 2000))).toBe(3);
    expect(currentRate(first, 5, OPTS, 6000)).toBe(5);
    // A throttle after the hold halves what is in force then (2.5 + 1 = 3.5 two seconds later).
    expect(adaptRate(first, 5, OPTS, { sentAt: 2200, at: 3000 })).toEqual({ rate: 1.75, at: 3000 });
  });

  it('floors to whole calls, at least one, without losing a call to float sums', () => {
    expect(effectiveLimit(0.3)).toBe(1);
    expect(effectiveLimit(2.9999999999)).toBe(3);
    expect(effectiveLimit(4.7)).toBe(4);
    expect(effectiveLimit(1.5 + 0.1 + 0.2 + 0.2)).toBe(2);
  });

  it('converges on the rate an upstream really allows: against 2 calls a window, a gateway set to 10 is throttled in one window of three', () => {
    // Window by window: the gateway sends what its limit allows, the upstream refuses beyond its real rate; a window's
    // throttles are answered 50 ms after it starts (only the first of them counts: the others were sent before it).
    let state: AdaptedRate | undefined;
    const opts = { ...OPTS, holdMs: 1000 };
    const limits: number[] = [];
    let throttledWindows = 0;
    let accepted = 0;
    for (let w = 0; w < 60; w++) {
      const at = w * 1000;
      const limit = effectiveLimit(currentRate(state, 10, opts, at));
      limits.push(limit);
      accepted += Math.min(limit, 2);
      if (limit > 2) {
        throttledWindows++;
        state = adaptRate(state, 10, opts, { sentAt: at, at: at + 50 });
      }
    }
    // 10 → 5 (the next window's throttles were sent within the hold: old news) → 3 → 2, then a climb to 3 every third window.
    expect(limits.slice(0, 6)).toEqual([10, 5, 5, 3, 3, 2]);
    expect(limits.slice(5).every((l) => l >= 1 && l <= 3)).toBe(true);
    expect(throttledWindows).toBeLessThanOrEqual(5 + 55 / 3);
    // It seldom falls below what the upstream allows: the gateway uses over 90 % of the 120 calls it has.
    expect(accepted).toBeGreaterThan(108);
  });
});

describe('memory limiter with an adaptation', () => {
  it('books under the adapted limit after a throttle, per key, and the configured one again once recovered', async () => {
    let t = 10_000;
    const limiter = createMemoryLimiter(() => t);
    expect(limiter.adaptedRate('url-tasks', 5, OPTS)).toBe(5);
    await limiter.throttled('url-tasks', 5, 20, OPTS);
    expect(limiter.adaptedRate('url-tasks', 5, OPTS)).toBe(2.5);
    expect(limiter.adaptedRate('detail', 30, OPTS)).toBe(30);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) waits.push((await limiter.book('url-tasks', 5, 1000, 60_000, OPTS)).waitMs);
    // Two a window now: the third waits a window.
    expect(waits).toEqual([0, 0, 1000]);
    expect((await limiter.book('url-tasks', 5, 1000, 60_000, OPTS)).limit).toBe(2);
    // Without the adaptation the key's limit is what the caller asks.
    expect((await limiter.book('url-tasks', 5, 1000, 60_000)).limit).toBe(5);
    t += recoveryTimeMs(2.5, 5, OPTS);
    expect(limiter.adaptedRate('url-tasks', 5, OPTS)).toBe(5);
    expect((await limiter.book('url-tasks', 5, 1000, 60_000, OPTS)).limit).toBe(5);
  });
});
