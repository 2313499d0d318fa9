/** The sliding-window slot arithmetic and the memory limiter built on it. */
import { nextStart, waitAllowed } from '../../src/state/sliding-window';
import { createMemoryLimiter } from '../../src/state/memory';

// Counts the most starts that fall in any window (t - windowMs, t] (the simulator's definition).
function peakInWindow(starts: number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[lo] as number) <= (sorted[hi] as number) - windowMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

describe('nextStart', () => {
  it('starts at once while fewer than `limit` starts are recorded', () => {
    expect(nextStart([], 5, 1000, 100)).toBe(100);
    expect(nextStart([90, 80, 70, 60], 5, 1000, 100)).toBe(100);
  });

  it('waits until the limit-th most recent start leaves the window', () => {
    expect(nextStart([90, 80, 70, 60, 50], 5, 1000, 100)).toBe(1050);
    expect(nextStart([90, 80, 70, 60, 50, 40], 5, 1000, 100)).toBe(1050);
  });

  it('starts at once when the limit-th most recent start is a whole window old', () => {
    expect(nextStart([900, 800, 700, 600, 0], 5, 1000, 1000)).toBe(1000);
  });

  it('never schedules before the newest reserved start (limits lowered between calls)', () => {
    expect(nextStart([5000, 10], 10, 1000, 100)).toBe(5000);
  });
});

describe('waitAllowed', () => {
  it('allows no wait even when no time is left, and a wait only within the bound', () => {
    expect(waitAllowed(0, -5)).toBe(true);
    expect(waitAllowed(100, 100)).toBe(true);
    expect(waitAllowed(101, 100)).toBe(false);
  });
});

describe('memory limiter', () => {
  it('never admits more than `limit` starts in any window, however the calls arrive', async () => {
    let t = 0;
    const limiter = createMemoryLimiter(() => t);
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const starts: number[] = [];
    for (let i = 0; i < 500; i++) {
      t += Math.floor(random() * 300);
      const slot = await limiter.reserve('url-tasks', 5, 1000, Number.MAX_SAFE_INTEGER);
      expect(slot.granted).toBe(true);
      starts.push(t + slot.waitMs);
    }
    expect(peakInWindow(starts, 1000)).toBe(5);
  });

  it('spaces a burst one window apart per `limit` calls', async () => {
    const limiter = createMemoryLimiter(() => 0);
    const waits = [];
    for (let i = 0; i < 12; i++) waits.push((await limiter.reserve('detail', 5, 1000, 60_000)).waitMs);
    expect(waits).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000]);
  });

  it('refuses without reserving when the slot is further away than allowed', async () => {
    const limiter = createMemoryLimiter(() => 0);
    for (let i = 0; i < 2; i++) await limiter.reserve('k', 2, 1000, 0);
    expect(await limiter.reserve('k', 2, 1000, 999)).toEqual({ granted: false, waitMs: 1000 });
    // The refusal took nothing: the next caller with time gets the same slot.
    expect(await limiter.reserve('k', 2, 1000, 5000)).toEqual({ granted: true, waitMs: 1000 });
  });

  it('keeps operations apart', async () => {
    const limiter = createMemoryLimiter(() => 0);
    await limiter.reserve('a', 1, 1000, 0);
    expect((await limiter.reserve('b', 1, 1000, 0)).waitMs).toBe(0);
    expect((await limiter.reserve('a', 1, 1000, 5000)).waitMs).toBe(1000);
  });
});
