/**
 * The fair-queuing arithmetic of the rate limiter (src/cdn/fair-share.ts), and the memory
 * limiter's release: pure functions and exact numbers, no clocks.
 */
import { assignSlots, compareTagged, dueUntil, fairOrder, nextTag, perCallerCap, perRequestCap, slotsAhead, tagFloor } from '../../src/cdn/fair-share';
import { createMemoryLimiter, pruneStarts } from '../../src/state/memory';

// Tags a sequence of arrivals as the stage does, with nothing starting in between.
function tagArrivals(callers: string[], lastStarted = 0): Array<{ caller: string; tag: number; seq: number }> {
  const last = new Map<string, number>();
  const tagged: Array<{ caller: string; tag: number; seq: number }> = [];
  callers.forEach((caller, i) => {
    const tag = nextTag(
      tagFloor(
        tagged.map((t) => t.tag),
        lastStarted,
      ),
      last.get(caller),
    );
    last.set(caller, tag);
    tagged.push({ caller, tag, seq: i + 1 });
  });
  return tagged;
}

describe('fair order', () => {
  it("serves a newcomer's first attempt after at most one attempt of each caller already waiting", () => {
    // An attacker queued 50 attempts, then two other callers ask once each.
    const arrivals = tagArrivals([...Array<string>(50).fill('attacker'), 'victim', 'third']);
    const order = fairOrder(arrivals).map((a) => a.caller);
    expect(order.slice(0, 4)).toEqual(['attacker', 'victim', 'third', 'attacker']);
    expect(order.filter((c) => c === 'attacker')).toHaveLength(50);
  });

  it('alternates between two backlogged callers whatever the arrival order', () => {
    const arrivals = tagArrivals([...Array<string>(6).fill('a'), ...Array<string>(3).fill('b')]);
    expect(fairOrder(arrivals).map((a) => a.caller)).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'a', 'a']);
  });

  it('starts a caller that waits for nothing at the floor, and a backlogged one after its own last tag', () => {
    expect(nextTag(41, undefined)).toBe(41);
    expect(nextTag(41, 12)).toBe(41);
    expect(nextTag(41, 45)).toBe(46);
    expect(tagFloor([], 40)).toBe(41);
    expect(tagFloor([44, 42, 43], 40)).toBe(42);
  });

  it("puts a caller asking again right after its turn behind at most one attempt of the other caller", () => {
    // The victim's attempt (tag 10) started just before the attacker's of tag 10, which still waits with 11 and 12.
    const waiting = [
      { caller: 'attacker', tag: 10, seq: 7 },
      { caller: 'attacker', tag: 11, seq: 8 },
      { caller: 'attacker', tag: 12, seq: 9 },
    ];
    const victim = { caller: 'victim', tag: nextTag(tagFloor(waiting.map((w) => w.tag), 10), undefined), seq: 20 };
    expect(fairOrder([...waiting, victim]).map((w) => w.caller)).toEqual(['attacker', 'victim', 'attacker', 'attacker']);
  });

  it('breaks equal tags by arrival and keeps one caller first come, first served', () => {
    expect(compareTagged({ tag: 3, seq: 9 }, { tag: 3, seq: 2 })).toBeGreaterThan(0);
    expect(compareTagged({ tag: 2, seq: 9 }, { tag: 3, seq: 2 })).toBeLessThan(0);
    const one = tagArrivals(['a', 'a', 'a']);
    expect(fairOrder([...one].reverse()).map((a) => a.seq)).toEqual([1, 2, 3]);
  });
});

describe('slot assignment', () => {
  it('gives the earliest booked slot to the first in turn, whoever booked it', () => {
    const slots = [{ at: 300 }, { at: 100 }, { at: 200 }];
    expect(assignSlots(['first', 'second', 'third'], slots)).toEqual([
      ['first', { at: 100 }],
      ['second', { at: 200 }],
      ['third', { at: 300 }],
    ]);
  });

  it('leaves attempts without a slot unpaired', () => {
    expect(assignSlots(['a', 'b'], [{ at: 5 }])).toEqual([['a', { at: 5 }]]);
  });

  it('counts the slots served to others between asking and starting', () => {
    expect(slotsAhead(10, 11)).toBe(0);
    expect(slotsAhead(10, 12)).toBe(1);
  });

  it('lets every slot up to the latest fired timer start, so a timer firing early cannot reorder starts', () => {
    // The timer of the slot at 1001 fired while the clock reads 999 and the slot at 1000 has not fired yet:
    // both may start, and assignSlots gives the earlier one to the attempt first in turn.
    const slots = [
      { at: 1000, due: false },
      { at: 1001, due: true },
      { at: 1005, due: false },
    ];
    expect(dueUntil(slots, 999)).toBe(1001);
    expect(dueUntil([{ at: 1000, due: false }], 999)).toBe(999);
    expect(dueUntil([], 42)).toBe(42);
  });
});

describe('per-request cap', () => {
  it('is the setting, never more than one window of the operation and never less than one', () => {
    expect(perRequestCap(20, 30)).toBe(20);
    expect(perRequestCap(20, 5)).toBe(5);
    expect(perRequestCap(0, 5)).toBe(1);
  });

  it('per caller is the setting, never more than two windows of the operation and never less than one request holds', () => {
    expect(perCallerCap(40, 30, 20)).toBe(40);
    expect(perCallerCap(40, 5, 5)).toBe(10);
    expect(perCallerCap(3, 30, 20)).toBe(20);
  });
});

describe('memory limiter release', () => {
  it('gives a released start to the next booking', async () => {
    const limiter = createMemoryLimiter(() => 0);
    const starts: Array<number | undefined> = [];
    for (let i = 0; i < 4; i++) starts.push((await limiter.book('detail', 2, 1000, 60_000)).start);
    expect(starts).toEqual([0, 0, 1000, 1000]);
    await limiter.release('detail', 1000);
    await limiter.release('detail', 1000);
    // Both 1000 starts are free again: the next two bookings get them, not 2000.
    expect((await limiter.book('detail', 2, 1000, 60_000)).waitMs).toBe(1000);
    expect((await limiter.book('detail', 2, 1000, 60_000)).waitMs).toBe(1000);
    expect((await limiter.book('detail', 2, 1000, 60_000)).waitMs).toBe(2000);
  });

  it('ignores a start it does not hold', async () => {
    const limiter = createMemoryLimiter(() => 0);
    await limiter.book('k', 1, 1000, 0);
    await limiter.release('k', 12345);
    expect(await limiter.reserve('k', 1, 1000, 5000)).toEqual({ granted: true, waitMs: 1000 });
  });

  it('drops only starts a whole window old', () => {
    expect(pruneStarts([2500, 1600, 1500, 900], 1000, 2500)).toEqual([2500, 1600]);
  });
});
