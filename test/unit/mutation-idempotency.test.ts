/** Idempotent runs over the memory store: one call per key and window, shared by concurrent repeats, refused for another input, forgotten after the TTL. */
import { ConfigError, loadConfig } from '../../src/config';
import { GatewayError } from '../../src/errors';
import { createIdempotentRunner, type IdempotentCall } from '../../src/graph/idempotency';
import { decodeOutcome, encodeOutcome } from '../../src/graph/idempotency-outcome';
import { createMemoryIdempotency, type IdempotencyStore } from '../../src/state/index';

// A clock the test moves by hand.
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

// A call that counts its runs and resolves with the run number.
function countingCall() {
  let runs = 0;
  return { call: async () => ++runs, runs: () => runs };
}

const id = (key: string, fingerprint = 'f1', scope = 'global'): IdempotentCall => ({ scope, key, fingerprint });

describe('createIdempotentRunner', () => {
  it('runs a key once and replays its value to repeats within the window', async () => {
    const clock = fakeClock();
    const store = createIdempotentRunner({ ttlMs: 1000, maxKeys: 10, now: clock.now });
    const c = countingCall();
    await expect(store.run(id('k'), c.call)).resolves.toEqual({ ok: true, value: 1, replayed: false });
    clock.advance(999);
    await expect(store.run(id('k'), c.call)).resolves.toEqual({ ok: true, value: 1, replayed: true });
    expect(c.runs()).toBe(1);
  });

  it('runs again once the window has passed', async () => {
    const clock = fakeClock();
    const store = createIdempotentRunner({ ttlMs: 1000, maxKeys: 10, now: clock.now });
    const c = countingCall();
    await store.run(id('k'), c.call);
    clock.advance(1000);
    await expect(store.run(id('k'), c.call)).resolves.toEqual({ ok: true, value: 2, replayed: false });
  });

  it('shares one call in flight among concurrent repeats', async () => {
    const records = createMemoryIdempotency({ maxKeys: 10 });
    const store = createIdempotentRunner({ ttlMs: 1000, store: records });
    let release!: (v: string) => void;
    let runs = 0;
    const call = () => {
      runs++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const first = store.run(id('k'), call);
    const second = store.run(id('k'), call);
    expect(store.size()).toEqual({ inFlight: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(records.size()).toEqual({ finished: 0, running: 1 });
    release('task-1');
    await expect(first).resolves.toEqual({ ok: true, value: 'task-1', replayed: false });
    await expect(second).resolves.toEqual({ ok: true, value: 'task-1', replayed: true });
    expect(runs).toBe(1);
    expect(store.size()).toEqual({ inFlight: 0 });
    expect(records.size()).toEqual({ finished: 1, running: 0 });
  });

  it('refuses the same key with another input, in flight or finished, without running', async () => {
    const store = createIdempotentRunner({ ttlMs: 600_000, maxKeys: 10 });
    const c = countingCall();
    const pending = store.run(id('k', 'f1'), c.call);
    const message =
      'idempotencyKey "k" was already used with a different input within the last 10 minutes; repeat the first input to get its result, or use a new key for a new task';
    await expect(store.run(id('k', 'f2'), c.call)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message });
    await pending;
    await expect(store.run(id('k', 'f2'), c.call)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message });
    expect(c.runs()).toBe(1);
  });

  it('keeps scopes apart', async () => {
    const store = createIdempotentRunner({ ttlMs: 1000, maxKeys: 10 });
    const c = countingCall();
    await store.run(id('k', 'f1', 'alice'), c.call);
    await expect(store.run(id('k', 'f2', 'bob'), c.call)).resolves.toEqual({ ok: true, value: 2, replayed: false });
  });

  it('keeps apart scopes whose parts would join into the same text', async () => {
    const store = createIdempotentRunner({ ttlMs: 1000, maxKeys: 10 });
    const c = countingCall();
    await store.run(id('k', 'f1', 'a\nb'), c.call);
    await expect(store.run(id('b\nk', 'f1', 'a'), c.call)).resolves.toEqual({ ok: true, value: 2, replayed: false });
  });

  it('forgets a failure by default, so a repeat runs again', async () => {
    const store = createIdempotentRunner({ ttlMs: 1000, maxKeys: 10 });
    const refused = new GatewayError('QUOTA_EXCEEDED');
    let runs = 0;
    const call = async () => {
      runs++;
      if (runs === 1) throw refused;
      return 'task-2';
    };
    await expect(store.run(id('k'), call)).resolves.toEqual({ ok: false, error: refused, replayed: false });
    await expect(store.run(id('k'), call)).resolves.toEqual({ ok: true, value: 'task-2', replayed: false });
    expect(runs).toBe(2);
  });

  it('remembers a failure the caller says may have had its effect, until the window passes', async () => {
    const clock = fakeClock();
    const store = createIdempotentRunner({ ttlMs: 1000, maxKeys: 10, now: clock.now });
    const lost = new GatewayError('UPSTREAM_UNAVAILABLE');
    let runs = 0;
    const call = async () => {
      runs++;
      throw lost;
    };
    const remember = { ...id('k'), rememberFailure: (e: unknown) => e === lost };
    await expect(store.run(remember, call)).resolves.toEqual({ ok: false, error: lost, replayed: false, rememberedUntil: 1_001_000 });
    clock.advance(500);
    await expect(store.run(remember, call)).resolves.toEqual({ ok: false, error: lost, replayed: true, rememberedUntil: 1_001_000 });
    expect(runs).toBe(1);
    clock.advance(500);
    await store.run(remember, call);
    expect(runs).toBe(2);
  });

  it('forgets the least recently used outcome beyond maxKeys', async () => {
    const store = createIdempotentRunner({ ttlMs: 60_000, maxKeys: 2 });
    const c = countingCall();
    await store.run(id('a'), c.call);
    await store.run(id('b'), c.call);
    await store.run(id('a'), c.call); // a is now the most recently used
    await store.run(id('c'), c.call); // evicts b
    expect(c.runs()).toBe(3);
    await expect(store.run(id('a'), c.call)).resolves.toMatchObject({ value: 1, replayed: true });
    await expect(store.run(id('b'), c.call)).resolves.toMatchObject({ value: 4, replayed: false });
  });

  it.each([
    [{ ttlMs: 0, maxKeys: 1 }, 'idempotency store option `ttlMs` must be a positive integer; received 0'],
    [{ ttlMs: 1.5, maxKeys: 1 }, 'idempotency store option `ttlMs` must be a positive integer; received 1.5'],
    [{ ttlMs: 1, maxKeys: -1 }, 'idempotency store option `maxKeys` must be a positive integer; received -1'],
  ])('refuses %j', (options, message) => {
    expect(() => createIdempotentRunner(options)).toThrow(new TypeError(message));
  });
});

describe('runners sharing one store (replicas sharing Redis)', () => {
  // Two runners over one store stand for two replicas: neither sees the other's calls in flight, only the store's records.
  function replicas(store: IdempotencyStore = createMemoryIdempotency({ maxKeys: 10 })) {
    return [createIdempotentRunner({ ttlMs: 60_000, store }), createIdempotentRunner({ ttlMs: 60_000, store })] as const;
  }
  const soon = (ms: number) => Date.now() + ms;

  it('runs one call for concurrent repeats on both: the other waits for its outcome and replays it', async () => {
    const [a, b] = replicas();
    let runs = 0;
    let release!: (v: string) => void;
    const call = () => {
      runs++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const first = a.run({ ...id('k'), deadline: soon(10_000) }, call);
    const second = b.run({ ...id('k'), deadline: soon(10_000) }, call);
    await new Promise((resolve) => setImmediate(resolve));
    release('task-1');
    await expect(first).resolves.toEqual({ ok: true, value: 'task-1', replayed: false });
    await expect(second).resolves.toEqual({ ok: true, value: 'task-1', replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses another input on the other replica while the first call runs', async () => {
    const [a, b] = replicas();
    let release!: (v: string) => void;
    const first = a.run(id('k', 'f1'), () => new Promise<string>((resolve) => (release = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(b.run(id('k', 'f2'), async () => 'never')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    release('task-1');
    await first;
  });

  it('runs the waiting repeat itself when the first call fails with a failure that is forgotten (its claim is released)', async () => {
    const [a, b] = replicas();
    let fail!: (e: unknown) => void;
    const first = a.run({ ...id('k'), deadline: soon(10_000) }, () => new Promise<string>((_resolve, reject) => (fail = reject)));
    await new Promise((resolve) => setImmediate(resolve));
    const second = b.run({ ...id('k'), deadline: soon(10_000) }, async () => 'task-2');
    fail(new GatewayError('QUOTA_EXCEEDED'));
    await expect(first).resolves.toMatchObject({ ok: false, replayed: false });
    await expect(second).resolves.toEqual({ ok: true, value: 'task-2', replayed: false });
  });

  it('gives up at the deadline with IDEMPOTENCY_KEY_IN_USE, running nothing, while the store cannot be read', async () => {
    const inner = createMemoryIdempotency({ maxKeys: 10 });
    let reads = 0;
    const unreadable: IdempotencyStore = {
      ...inner,
      read: async () => {
        reads++;
        throw new Error('Redis is not connected');
      },
    };
    const [a, b] = replicas(unreadable);
    const first = a.run(id('k'), () => new Promise<string>(() => undefined));
    await new Promise((resolve) => setImmediate(resolve));
    let runs = 0;
    const waited = b.run({ ...id('k'), deadline: soon(300) }, async () => ++runs);
    await expect(waited).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', retryAfterMs: expect.any(Number) });
    await expect(waited).rejects.toThrow(/^An earlier call with idempotencyKey "k" is still running \(possibly on another gateway replica\)/);
    expect(runs).toBe(0);
    expect(reads).toBeGreaterThan(0);
    void first;
  });

  it('stops waiting when the caller leaves', async () => {
    const [a, b] = replicas();
    void a.run(id('k'), () => new Promise<string>(() => undefined));
    await new Promise((resolve) => setImmediate(resolve));
    const controller = new AbortController();
    const waited = b.run({ ...id('k'), deadline: soon(60_000), signal: controller.signal }, async () => 'never');
    controller.abort();
    await expect(waited).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
  });
});

describe('stored outcomes', () => {
  it('keep what a client sees of a catalogue error: code, message, upstream context, retry-after', () => {
    const error = new GatewayError('UPSTREAM_UNAVAILABLE', 'The CDN failed.', { upstream: { status: 502, code: 'APIGW.0202', requestId: 'r1' }, retryAfterMs: 2000 });
    const back = decodeOutcome(encodeOutcome({ ok: false, error }));
    expect(back).toEqual({ ok: false, error });
    expect(back.ok === false && back.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 502, code: 'APIGW.0202', requestId: 'r1' }, retryAfterMs: 2000 });
    expect(decodeOutcome(encodeOutcome({ ok: true, value: { taskId: '42' } }))).toEqual({ ok: true, value: { taskId: '42' } });
  });

  it('store anything else thrown as INTERNAL_SERVER_ERROR, and never read unreadable text as a value', () => {
    expect(decodeOutcome(encodeOutcome({ ok: false, error: new TypeError('secret detail') }))).toEqual({ ok: false, error: new GatewayError('INTERNAL_SERVER_ERROR') });
    for (const text of ['{', '{"ok":false,"error":{"code":"NOPE","message":"x"}}', '[]', undefined]) {
      expect(decodeOutcome(text)).toMatchObject({ ok: false, error: { code: 'INTERNAL_SERVER_ERROR' } });
    }
  });
});

describe('idempotency configuration', () => {
  const secret = () => 'x'.repeat(32);

  it('defaults to a 10-minute window over 10000 keys', () => {
    expect(loadConfig({}, secret)).toMatchObject({ idempotencyTtlMs: 600_000, idempotencyMaxKeys: 10_000 });
  });

  it('reads IDEMPOTENCY_TTL_MS and IDEMPOTENCY_MAX_KEYS', () => {
    expect(loadConfig({ IDEMPOTENCY_TTL_MS: '5000', IDEMPOTENCY_MAX_KEYS: '7' }, secret)).toMatchObject({ idempotencyTtlMs: 5000, idempotencyMaxKeys: 7 });
  });

  it('refuses values out of range, listing both', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ IDEMPOTENCY_TTL_MS: '999', IDEMPOTENCY_MAX_KEYS: '0' }, secret);
    } catch (e) {
      if (e instanceof ConfigError) problems = e.problems;
    }
    expect(problems).toEqual(['IDEMPOTENCY_TTL_MS: must be at least 1000 (got "999")', 'IDEMPOTENCY_MAX_KEYS: must be at least 1 (got "0")']);
  });
});
