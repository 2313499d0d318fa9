/**
 * The shared task pollers (src/graph/progress) with an injected fetch and hand-run timers:
 * what changes count, the backoff, one poll for many subscribers, and when polling stops; and,
 * over a shared in-memory coordination, one polling replica for several, and its handover.
 */
import type { TaskModel } from '../../src/cdn/models';
import { GatewayError } from '../../src/errors';
import { isFinished, leaseMs, nextPollDelay, progressChanged } from '../../src/graph/progress/change';
import { createProgressHub, type FetchTask, type HubTimers, type PollOutcome, type ProgressEvent } from '../../src/graph/progress/hub';
import type { PollerCoordination, PollerNotice } from '../../src/state/types';

const SETTINGS = { intervalMs: 2000, maxIntervalMs: 10_000 };

function task(overrides: Partial<TaskModel> = {}): TaskModel {
  return { id: '42', taskType: 'refresh', status: 'task_inprocess', processing: 2, succeeded: 0, failed: 0, total: 2, createTime: 1_700_000_000_000, fileType: 'file', ...overrides };
}

// Timers run by the test: `fire()` runs the one pending poll.
function manualTimers(): HubTimers & { pending: Array<{ fn: () => void; ms: number }>; fire(): number } {
  const pending: Array<{ fn: () => void; ms: number }> = [];
  return {
    pending,
    setTimeout: (fn, ms) => {
      const entry = { fn, ms };
      pending.push(entry);
      return entry;
    },
    clearTimeout: (handle) => {
      const i = pending.indexOf(handle as { fn: () => void; ms: number });
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      const next = pending.shift();
      if (!next) throw new Error('no poll scheduled');
      next.fn();
      return next.ms;
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('progressChanged and nextPollDelay', () => {
  it('sees status and count changes, and nothing else', () => {
    expect(progressChanged(undefined, task())).toBe(true);
    expect(progressChanged(task(), task())).toBe(false);
    expect(progressChanged(task(), task({ fileType: 'directory' }))).toBe(false);
    expect(progressChanged(task(), task({ processing: 1, succeeded: 1 }))).toBe(true);
    expect(progressChanged(task(), task({ status: 'task_done' }))).toBe(true);
    expect(progressChanged(task(), task({ total: 3 }))).toBe(true);
  });

  it('finishes on DONE only', () => {
    expect(isFinished(task({ status: 'task_done' }))).toBe(true);
    expect(isFinished(task())).toBe(false);
    expect(isFinished(task({ status: null }))).toBe(false);
  });

  it('doubles the delay while nothing changes, capped, and returns to the interval on a change', () => {
    expect(nextPollDelay(undefined, false, SETTINGS)).toBe(2000);
    expect(nextPollDelay(2000, false, SETTINGS)).toBe(4000);
    expect(nextPollDelay(4000, false, SETTINGS)).toBe(8000);
    expect(nextPollDelay(8000, false, SETTINGS)).toBe(10_000);
    expect(nextPollDelay(10_000, false, SETTINGS)).toBe(10_000);
    expect(nextPollDelay(10_000, true, SETTINGS)).toBe(2000);
  });
});

describe('createProgressHub', () => {
  // A fetch answering from a list of outcomes, counting calls.
  function scripted(outcomes: Array<TaskModel | null | Error>): FetchTask & { calls: Array<{ taskId: string; caller: string }> } {
    const calls: Array<{ taskId: string; caller: string }> = [];
    const fetch = (async (taskId: string, poll: { caller: string }) => {
      calls.push({ taskId, caller: poll.caller });
      const outcome = outcomes.length > 1 ? outcomes.shift()! : outcomes[0]!;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    }) as unknown as FetchTask & { calls: Array<{ taskId: string; caller: string }> };
    fetch.calls = calls;
    return fetch;
  }

  // Reads what an iterator has received so far, without waiting for more.
  async function drain(iterator: AsyncIterableIterator<ProgressEvent>, count: number): Promise<ProgressEvent[]> {
    const events: ProgressEvent[] = [];
    for (let i = 0; i < count; i++) {
      const next = await iterator.next();
      if (next.done) break;
      events.push(next.value);
    }
    return events;
  }

  it('polls once per delay for every subscriber, emits changes only, and ends after DONE', async () => {
    const timers = manualTimers();
    const fetch = scripted([task(), task(), task({ processing: 1, succeeded: 1 }), task({ status: 'task_done', processing: 0, succeeded: 2 })]);
    const outcomes: PollOutcome[] = [];
    const hub = createProgressHub({ fetch, settings: SETTINGS, timers, onPoll: (o) => outcomes.push(o) });
    const a = hub.follow('42', { callerId: 'api-key:key-1' });
    await flush();
    const b = hub.follow('42', { callerId: 'api-key:key-2' });
    expect(fetch.calls).toHaveLength(1);
    expect(hub.stats()).toEqual({ pollers: 1, subscribers: 2, polls: 1 });
    // The late subscriber gets the last state at once, without a poll.
    expect((await drain(b, 1))[0]).toMatchObject({ kind: 'state', task: { processing: 2 } });
    expect(timers.fire()).toBe(2000); // unchanged
    await flush();
    expect(timers.fire()).toBe(4000); // backed off; this poll sees a change
    await flush();
    expect(timers.fire()).toBe(2000); // DONE
    await flush();
    expect(fetch.calls).toHaveLength(4);
    expect(fetch.calls.every((c) => c.caller === 'api-key:key-1')).toBe(true);
    const eventsA = await drain(a, 10);
    expect(eventsA.map((e) => (e.kind === 'state' ? `${e.task.status}${e.task.processing}` : e.kind))).toEqual(['task_inprocess2', 'task_inprocess1', 'task_done0']);
    expect((await b.next()).value).toMatchObject({ task: { processing: 1 } });
    expect(timers.pending).toHaveLength(0);
    expect(hub.stats()).toEqual({ pollers: 0, subscribers: 0, polls: 4 });
    expect(outcomes).toEqual(['changed', 'unchanged', 'changed', 'changed']);
  });

  it('stops polling when the last subscriber leaves, and polls as the next subscriber once the first leaves', async () => {
    const timers = manualTimers();
    const fetch = scripted([task()]);
    const hub = createProgressHub({ fetch, settings: SETTINGS, timers });
    const a = hub.follow('42', { callerId: 'first' });
    const b = hub.follow('42', { callerId: 'second' });
    await flush();
    await a.return!();
    timers.fire();
    await flush();
    expect(fetch.calls.map((c) => c.caller)).toEqual(['first', 'second']);
    await b.return!();
    expect(timers.pending).toHaveLength(0);
    expect(hub.stats().pollers).toBe(0);
  });

  it('passes a failed poll on as an error event and carries on; an unknown task ends with not-found', async () => {
    const timers = manualTimers();
    const fault = new GatewayError('UPSTREAM_UNAVAILABLE', 'down');
    const fetch = scripted([fault, task(), null]);
    const outcomes: PollOutcome[] = [];
    const hub = createProgressHub({ fetch, settings: SETTINGS, timers, onPoll: (o) => outcomes.push(o) });
    const a = hub.follow('42', { callerId: 'x' });
    await flush();
    timers.fire();
    await flush();
    timers.fire();
    await flush();
    const events = await drain(a, 10);
    expect(events.map((e) => e.kind)).toEqual(['error', 'state', 'not-found']);
    expect(outcomes).toEqual(['error', 'changed', 'not_found']);
    expect((await a.next()).done).toBe(true);
    expect(hub.stats().pollers).toBe(0);
  });

  it('reports a poll whose last subscriber left while it was in flight as cancelled', async () => {
    let answer: (t: TaskModel) => void = () => {};
    const fetch: FetchTask = () => new Promise((resolve) => (answer = resolve));
    const outcomes: PollOutcome[] = [];
    const hub = createProgressHub({ fetch, settings: SETTINGS, timers: manualTimers(), onPoll: (o) => outcomes.push(o) });
    const a = hub.follow('42', { callerId: 'x' });
    // The poll starts once the (memory) lease is claimed.
    await flush();
    await a.return!();
    answer(task());
    await flush();
    expect(outcomes).toEqual(['cancelled']);
    expect(hub.stats()).toEqual({ pollers: 0, subscribers: 0, polls: 1 });
  });

  it('close ends every subscription', async () => {
    const timers = manualTimers();
    const hub = createProgressHub({ fetch: scripted([task()]), settings: SETTINGS, timers });
    const a = hub.follow('1', { callerId: 'x' });
    const b = hub.follow('2', { callerId: 'x' });
    await flush();
    hub.close();
    expect((await drain(a, 5)).length).toBe(1);
    expect((await b.next()).value).toMatchObject({ kind: 'state' });
    expect((await b.next()).done).toBe(true);
    expect(timers.pending).toHaveLength(0);
  });
});

describe('createProgressHub across replicas', () => {
  // Replicas' coordinations over one in-memory backend on a clock the test moves, delivering notices a tick later (as pub/sub does).
  function sharedBackend(clock: { now: number }): (replica: number) => PollerCoordination {
    const leases = new Map<string, { owner: number; until: number }>();
    const kept = new Map<string, { version: number; payload: string }>();
    const listeners = new Set<{ owner: number; taskId: string; onNotice: (n: PollerNotice) => void }>();
    let version = 0;
    const notify = (from: number, taskId: string, notice: PollerNotice): void => {
      for (const l of [...listeners]) if (l.owner !== from && l.taskId === taskId) queueMicrotask(() => l.onNotice(notice));
    };
    return (owner) => ({
      async claim(taskId, ttlMs) {
        const lease = leases.get(taskId);
        if (!lease || lease.owner === owner || lease.until <= clock.now) {
          leases.set(taskId, { owner, until: clock.now + ttlMs });
          return { mine: true };
        }
        const latest = kept.get(taskId);
        return latest ? { mine: false, latest } : { mine: false };
      },
      async release(taskId) {
        if (leases.get(taskId)?.owner !== owner) return;
        leases.delete(taskId);
        notify(owner, taskId, { kind: 'released' });
      },
      async publish(taskId, payload, keepMs) {
        const v = ++version;
        if (keepMs > 0) kept.set(taskId, { version: v, payload });
        notify(owner, taskId, { kind: 'state', version: v, payload });
        return v;
      },
      listen(taskId, onNotice) {
        const entry = { owner, taskId, onNotice };
        listeners.add(entry);
        return () => listeners.delete(entry);
      },
    });
  }

  function scripted(outcomes: Array<TaskModel | null | Error>): FetchTask & { calls: number } {
    const fetch = (async () => {
      fetch.calls++;
      const outcome = outcomes.length > 1 ? outcomes.shift()! : outcomes[0]!;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    }) as unknown as FetchTask & { calls: number };
    fetch.calls = 0;
    return fetch;
  }

  // Reads the events received so far (the iterator has them queued), without waiting for more.
  async function received(iterator: AsyncIterableIterator<ProgressEvent>, count: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const next = await iterator.next();
      if (next.done) {
        out.push('end');
        break;
      }
      out.push(next.value.kind === 'state' ? `${next.value.task.status}${next.value.task.processing}` : next.value.kind);
    }
    return out;
  }

  function replicas(outcomes: Array<Array<TaskModel | null | Error>>) {
    const clock = { now: 0 };
    const backend = sharedBackend(clock);
    const nodes = outcomes.map((o, i) => {
      const timers = manualTimers();
      const fetch = scripted(o);
      return { timers, fetch, hub: createProgressHub({ fetch, settings: SETTINGS, timers, coordination: backend(i), pollTimeoutMs: 15_000 }) };
    });
    return { clock, nodes };
  }

  it('polls on one replica only; the other passes its states on, the current one at once, and ends after DONE', async () => {
    const { nodes } = replicas([[task(), task({ processing: 1, succeeded: 1 }), task({ status: 'task_done', processing: 0, succeeded: 2 })], [task()]]);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const onA = a.hub.follow('42', { callerId: 'x' });
    await flush();
    const onB = b.hub.follow('42', { callerId: 'y' });
    await flush();
    a.timers.fire();
    await flush();
    a.timers.fire();
    await flush();
    expect(await received(onB, 4)).toEqual(['task_inprocess2', 'task_inprocess1', 'task_done0', 'end']);
    expect(await received(onA, 4)).toEqual(['task_inprocess2', 'task_inprocess1', 'task_done0', 'end']);
    expect([a.fetch.calls, b.fetch.calls]).toEqual([3, 0]);
    expect(b.timers.pending).toHaveLength(0);
    expect(b.hub.stats()).toEqual({ pollers: 0, subscribers: 0, polls: 0 });
  });

  it('takes the polling over at once when the polling replica gives it up (its last subscriber left, or it stopped)', async () => {
    const { nodes } = replicas([[task()], [task({ processing: 1, succeeded: 1 })]]);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const onA = a.hub.follow('42', { callerId: 'x' });
    await flush();
    const onB = b.hub.follow('42', { callerId: 'y' });
    await flush();
    expect(b.timers.pending.map((t) => t.ms)).toEqual([2000]);
    await onA.return!();
    await flush();
    // The release notice brings B's next turn forward: it polls now, not after its delay or the lease's end.
    expect(b.timers.pending.map((t) => t.ms)).toEqual([0]);
    b.timers.fire();
    await flush();
    expect(b.fetch.calls).toBe(1);
    expect(await received(onB, 2)).toEqual(['task_inprocess2', 'task_inprocess1']);
  });

  it('takes the polling over once the lease runs out when the polling replica died without a word', async () => {
    const { clock, nodes } = replicas([[task()], [task({ processing: 1, succeeded: 1 })]]);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    a.hub.follow('42', { callerId: 'x' });
    await flush();
    const onB = b.hub.follow('42', { callerId: 'y' });
    await flush();
    // A never runs again. Within its lease (its poll delay and a margin), B only follows.
    clock.now += 2000;
    b.timers.fire();
    await flush();
    expect(b.fetch.calls).toBe(0);
    clock.now += leaseMs(2000, SETTINGS);
    b.timers.fire();
    await flush();
    expect(b.fetch.calls).toBe(1);
    expect(await received(onB, 2)).toEqual(['task_inprocess2', 'task_inprocess1']);
  });

  it('passes a failed poll on as it happens, while a replica that starts following later gets the last state', async () => {
    const { nodes } = replicas([[task(), new GatewayError('UPSTREAM_UNAVAILABLE', 'down', { upstream: { status: 503 } })], [task()], [task()]]);
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    a.hub.follow('42', { callerId: 'x' });
    await flush();
    const onB = b.hub.follow('42', { callerId: 'y' });
    await flush();
    a.timers.fire();
    await flush();
    expect((await onB.next()).value).toMatchObject({ kind: 'state' });
    const failure = (await onB.next()).value as ProgressEvent;
    expect(failure).toMatchObject({ kind: 'error', error: { code: 'UPSTREAM_UNAVAILABLE', message: 'down', upstream: { status: 503 } } });
    const onC = c.hub.follow('42', { callerId: 'z' });
    await flush();
    expect((await onC.next()).value).toMatchObject({ kind: 'state', task: { processing: 2 } });
    expect([b.fetch.calls, c.fetch.calls]).toEqual([0, 0]);
  });
});
