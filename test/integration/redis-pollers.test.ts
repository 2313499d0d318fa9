/**
 * The task pollers' coordination in Redis (src/state/redis-pollers.ts) against a real
 * redis-server: one lease per task, renewed by its holder and taken over once given up or run
 * out; states published in order to the other replicas and kept as the latest; partitions kept
 * apart; every claim granted while Redis is unreachable. Skipped without redis-server.
 */
import { Redis } from 'ioredis';
import { createRedisState } from '../../src/state/redis';
import type { PollerNotice, SharedState } from '../../src/state/types';
import { eventually } from '../support/eventually';
import { findRedisServer, startRedisServer, type RedisServer } from '../support/redis-server';

const HAVE_REDIS = findRedisServer();

(HAVE_REDIS ? describe : describe.skip)('task pollers in Redis', () => {
  let redis: RedisServer;
  const opened: SharedState[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // A replica's shared state on the test Redis, connected; patient, so that a slow answer is not the fallback's.
  async function replica(prefix: string, url = redis.url): Promise<SharedState> {
    const state = createRedisState({ url, keyPrefix: prefix, commandTimeoutMs: 5000, connectTimeoutMs: 5000 });
    opened.push(state);
    await state.connect();
    return state;
  }

  it('grants one lease per task, renews it for its holder, and passes it on when given up, with a notice', async () => {
    const prefix = `l${Date.now()}:`;
    const [one, two] = [await replica(prefix), await replica(prefix)];
    const p1 = one.pollers('p');
    const p2 = two.pollers('p');
    const heard: PollerNotice[] = [];
    const stopListening = p2.listen('42', (n) => heard.push(n));
    expect(await p1.claim('42', 60_000)).toEqual({ mine: true });
    expect(await p2.claim('42', 60_000)).toEqual({ mine: false });
    // Its holder renews it; another task is another lease.
    expect(await p1.claim('42', 60_000)).toEqual({ mine: true });
    expect(await p2.claim('43', 60_000)).toEqual({ mine: true });
    // Only the holder can give it up; the others hear of it and one takes it.
    await p2.release('42');
    expect(await p2.claim('42', 60_000)).toEqual({ mine: false });
    await p1.release('42');
    await eventually(() => expect(heard).toEqual([{ kind: 'released' }]));
    expect(await p2.claim('42', 60_000)).toEqual({ mine: true });
    expect(await p1.claim('42', 60_000)).toEqual({ mine: false });
    stopListening();
  });

  it('lets the lease run out when its holder stops renewing it (a replica that died)', async () => {
    const prefix = `e${Date.now()}:`;
    const [one, two] = [await replica(prefix), await replica(prefix)];
    expect(await one.pollers('p').claim('7', 300)).toEqual({ mine: true });
    expect(await two.pollers('p').claim('7', 300)).toEqual({ mine: false });
    await eventually(async () => expect(await two.pollers('p').claim('7', 60_000)).toEqual({ mine: true }));
  });

  it('publishes states in order to the other replicas, not back to the publisher, and keeps the latest for followers', async () => {
    const prefix = `s${Date.now()}:`;
    const [one, two] = [await replica(prefix), await replica(prefix)];
    const p1 = one.pollers('p');
    const p2 = two.pollers('p');
    const own: PollerNotice[] = [];
    const theirs: PollerNotice[] = [];
    p1.listen('42', (n) => own.push(n));
    p2.listen('42', (n) => theirs.push(n));
    // The subscriber connection comes up on its own: wait until a message about another task gets through.
    let warm = 0;
    p2.listen('warm-up', () => warm++);
    await eventually(async () => {
      await p1.publish('warm-up', '{}', 60_000);
      expect(warm).toBeGreaterThan(0);
    });
    expect(await p1.claim('42', 60_000)).toEqual({ mine: true });
    const v1 = await p1.publish('42', '{"n":1}', 60_000);
    const v2 = await p1.publish('42', '{"n":2}', 60_000);
    expect(v2).toBeGreaterThan(v1);
    await eventually(() =>
      expect(theirs).toEqual([
        { kind: 'state', version: v1, payload: '{"n":1}' },
        { kind: 'state', version: v2, payload: '{"n":2}' },
      ]),
    );
    expect(own).toEqual([]);
    // News that is not kept (a failed poll) reaches the others, and leaves the latest state as it was.
    const v3 = await p1.publish('42', '{"failed":true}', 0);
    await eventually(() => expect(theirs.at(-1)).toEqual({ kind: 'state', version: v3, payload: '{"failed":true}' }));
    // A follower's claim returns the latest state; another partition (other credentials or project) sees nothing of it.
    expect(await p2.claim('42', 60_000)).toEqual({ mine: false, latest: { version: v2, payload: '{"n":2}' } });
    expect(await two.pollers('q').claim('42', 60_000)).toEqual({ mine: true });
    // A new holder's states come after the old one's.
    await p1.release('42');
    expect(await p2.claim('42', 60_000)).toEqual({ mine: true });
    expect(await p2.publish('42', '{"n":3}', 60_000)).toBeGreaterThan(v2);
  });

  it('grants every claim while Redis is unreachable, so that each replica polls for itself', async () => {
    const own = await startRedisServer();
    try {
      const prefix = `u${Date.now()}:`;
      const state = await replica(prefix, own.url);
      const other = await replica(prefix, own.url);
      expect(await state.pollers('p').claim('9', 60_000)).toEqual({ mine: true });
      expect(await other.pollers('p').claim('9', 60_000)).toEqual({ mine: false });
      await own.stop();
      await eventually(async () => expect(await other.pollers('p').claim('9', 60_000)).toEqual({ mine: true }));
      expect(await other.pollers('p').publish('9', '{}', 60_000)).toBe(0);
    } finally {
      await own.stop();
    }
  });

  it('keeps a task\'s lease and state under the prefix and partition, both expiring', async () => {
    const prefix = `k${Date.now()}:`;
    const state = await replica(prefix);
    await state.pollers('0123abcd').claim('42', 60_000);
    await state.pollers('0123abcd').publish('42', '{}', 60_000);
    const raw = new Redis(redis.url);
    try {
      const keys = (await raw.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}progress:0123abcd:42:lease`, `${prefix}progress:0123abcd:42:state`]);
      for (const key of keys) expect(await raw.pttl(key)).toBeGreaterThan(0);
    } finally {
      raw.disconnect();
    }
  });
});
