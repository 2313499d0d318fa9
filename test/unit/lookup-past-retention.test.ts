/**
 * The pure parts of lookups past the detail retention: windows around creation times, the
 * search of records by id in one url-tasks window (against an in-memory window listed by id
 * descending, as the upstream lists it), the weights old ids carry in MAX_DETAIL_LOOKUPS, and
 * the per-request allowance of url-tasks and historytasks calls.
 */
import { GatewayError } from '../../src/errors';
import { toTaskGlobalId, toUrlTaskGlobalId } from '../../src/graph/ids';
import { archiveCallLimit, archiveCallWeight, createLookupAllowance } from '../../src/graph/lookup-allowance';
import { weighLookupIds } from '../../src/graph/lookup-limits';
import { findRecordsById, type OffsetCall } from '../../src/pagination/find-by-id';
import { groupLookupWindows, LOOKUP_GAP_MS, LOOKUP_PAD_MS, MAX_LOOKUP_WINDOW_MS, TASK_LOOKUP_GAP_MS } from '../../src/pagination/lookup-windows';
import { mulberry32 } from '../../src/simulator/prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('groupLookupWindows', () => {
  it('puts a second around one time, half-open', () => {
    expect(groupLookupWindows([10_000])).toEqual([{ start: 10_000 - LOOKUP_PAD_MS, end: 10_000 + LOOKUP_PAD_MS + 1, members: [0] }]);
    expect(groupLookupWindows([])).toEqual([]);
    expect(groupLookupWindows([200])[0]!.start).toBe(0);
  });

  it('joins times within the gap, in time order, and starts a new window past it', () => {
    const t = 1_000_000_000;
    const windows = groupLookupWindows([t + 20 * MINUTE, t, t + 10 * MINUTE, t + 20 * MINUTE + LOOKUP_GAP_MS + 1]);
    expect(windows).toEqual([
      { start: t - LOOKUP_PAD_MS, end: t + 20 * MINUTE + LOOKUP_PAD_MS + 1, members: [1, 2, 0] },
      { start: t + 20 * MINUTE + LOOKUP_GAP_MS + 1 - LOOKUP_PAD_MS, end: t + 20 * MINUTE + LOOKUP_GAP_MS + LOOKUP_PAD_MS + 2, members: [3] },
    ]);
  });

  it('never spans more than url-tasks allows, however close the times', () => {
    const t = 1_000_000_000;
    const times = Array.from({ length: 200 }, (_, i) => t + i * 10 * MINUTE);
    const windows = groupLookupWindows(times);
    for (const w of windows) expect(w.end - w.start).toBeLessThanOrEqual(MAX_LOOKUP_WINDOW_MS);
    expect(windows.flatMap((w) => w.members).sort((a, b) => a - b)).toEqual(times.map((_, i) => i));
    expect(windows).toHaveLength(Math.ceil((200 * 10 * MINUTE) / MAX_LOOKUP_WINDOW_MS));
    // Tasks: any times within 24 hours share one window.
    expect(groupLookupWindows([t, t + 20 * HOUR], TASK_LOOKUP_GAP_MS)).toHaveLength(1);
    expect(groupLookupWindows([t, t + 25 * HOUR], TASK_LOOKUP_GAP_MS)).toHaveLength(2);
  });
});

// A url-tasks window in memory: record ids descending; `fetch` counts its calls.
function windowOf(ids: number[]) {
  const sorted = [...ids].sort((a, b) => b - a);
  const calls: OffsetCall[] = [];
  const fetch = async (call: OffsetCall) => {
    expect(call.limit).toBeGreaterThan(0);
    expect(call.limit).toBeLessThanOrEqual(100);
    calls.push(call);
    return { total: sorted.length, records: sorted.slice(call.offset, call.offset + call.limit).map((id) => ({ id })) };
  };
  return { sorted, calls, fetch };
}

describe('findRecordsById', () => {
  it('finds records among the first 100 with one call', async () => {
    const w = windowOf(Array.from({ length: 80 }, (_, i) => 5000 + i));
    const found = await findRecordsById([5000, 5079, 5040, 42], w.fetch);
    expect([...found.keys()].sort()).toEqual([5000, 5040, 5079]);
    expect(w.calls).toEqual([{ offset: 0, limit: 100 }]);
  });

  it('finds a record further down a task of consecutive ids with a second call placed by its id', async () => {
    const w = windowOf(Array.from({ length: 1000 }, (_, i) => 9000 + i));
    for (const id of [9000, 9500, 9899]) {
      w.calls.length = 0;
      const found = await findRecordsById([id], w.fetch);
      expect(found.get(id)).toEqual({ id });
      expect(w.calls).toHaveLength(2);
    }
  });

  it('shares calls between ids of one stretch', async () => {
    const w = windowOf(Array.from({ length: 1000 }, (_, i) => 9000 + i));
    const ids = Array.from({ length: 20 }, (_, i) => 9500 + i);
    const found = await findRecordsById(ids, w.fetch);
    expect(found.size).toBe(20);
    expect(w.calls.length).toBeLessThanOrEqual(3);
  });

  it('tells absent ids without reading the window to its end', async () => {
    const w = windowOf(Array.from({ length: 5000 }, (_, i) => 2 * i));
    const found = await findRecordsById([2501, 7777], w.fetch);
    expect(found.size).toBe(0);
    expect(w.calls.length).toBeLessThanOrEqual(2 * 8);
  });

  it('finds every present id and no other in windows with uneven gaps, within a logarithmic number of calls', async () => {
    const random = mulberry32(15);
    for (let run = 0; run < 150; run++) {
      const size = Math.floor(random() * 6000);
      const ids: number[] = [];
      let id = 1_000_000;
      for (let i = 0; i < size; i++) ids.push((id += 1 + (random() < 0.1 ? Math.floor(random() * 500) : 0)));
      const w = windowOf(ids);
      const present = Array.from({ length: Math.floor(random() * 5) }, () => w.sorted[Math.floor(random() * size)]).filter((x): x is number => x !== undefined);
      const inWindow = new Set(ids);
      const absent = Array.from({ length: Math.floor(random() * 3) }, () => 1_000_000 + Math.floor(random() * (id - 1_000_000 + 50))).filter((x) => !inWindow.has(x));
      const found = await findRecordsById([...present, ...absent], w.fetch);
      expect([...found.keys()].sort()).toEqual([...new Set(present)].sort());
      const probes = 2 + Math.ceil(Math.log2(Math.max(1, size / 100))) + 1;
      expect(w.calls.length).toBeLessThanOrEqual(1 + (present.length + absent.length) * probes);
    }
  });
});

describe('weights of old ids in MAX_DETAIL_LOOKUPS, and the run-time allowance', () => {
  const now = Date.UTC(2026, 11, 1);

  it('weighs a url-tasks call as 6 detail calls and a historytasks call as 3, from the operations table', () => {
    expect(archiveCallWeight('url-tasks')).toBe(6);
    expect(archiveCallWeight('historytasks')).toBe(3);
    expect(archiveCallLimit('url-tasks', 200)).toBe(33);
    expect(archiveCallLimit('historytasks', 200)).toBe(66);
  });

  it('counts one per id the detail may hold, and one call per window of old ids', () => {
    const young = toUrlTaskGlobalId('1', 1, now - 3 * DAY);
    expect(weighLookupIds([young, toTaskGlobalId('1', now - 14 * DAY), toTaskGlobalId('1', null), 'garbage', 42], now)).toBe(5);
    const old = (i: number, t: number) => toUrlTaskGlobalId('7', i, t);
    // Three records within minutes of each other: one window, one url-tasks call.
    expect(weighLookupIds([old(1, now - 20 * DAY), old(2, now - 20 * DAY + MINUTE), old(3, now - 20 * DAY + 2 * MINUTE)], now)).toBe(6);
    expect(weighLookupIds([old(1, now - 20 * DAY), old(2, now - 21 * DAY)], now)).toBe(12);
    // Tasks within a day share a historytasks window.
    expect(weighLookupIds([toTaskGlobalId('8', now - 20 * DAY), toTaskGlobalId('9', now - 20 * DAY + 5 * HOUR), young], now)).toBe(3 + 1);
  });

  it('refuses the call past the allowance with BAD_USER_INPUT, per operation', () => {
    const allowance = createLookupAllowance(200);
    for (let i = 0; i < 33; i++) allowance.spend('url-tasks');
    for (let i = 0; i < 66; i++) allowance.spend('historytasks');
    const refusal = (() => {
      try {
        allowance.spend('url-tasks');
      } catch (e) {
        return e;
      }
    })();
    expect(refusal).toBeInstanceOf(GatewayError);
    expect(refusal).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/at most 33 url-tasks calls per request/) });
    expect(() => allowance.spend('historytasks')).toThrow(/at most 66 historytasks calls/);
  });
});
