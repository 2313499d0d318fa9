/**
 * The list generation (read-your-writes) inside the real assembled pipeline, around a scripted
 * terminal handler: a create makes later list calls miss the cache and not join calls in flight,
 * task details stay cached, failed creates invalidate too, replicas sharing the state see each
 * other's creates, and an unreadable generation bypasses the cache without losing coalescing.
 * Over the wire: test/integration/read-your-writes.test.ts and read-your-writes-redis.test.ts.
 */
import { createEconomy, type EconomyOptions } from '../../src/cdn/economy';
import { normalizeOptions } from '../../src/cdn/options';
import type { OperationName } from '../../src/cdn/models';
import type { RawHandler, RawResponse, UpstreamRequest } from '../../src/cdn/pipeline';
import { createRedactor } from '../../src/cdn/redact';
import { composeUpstream } from '../../src/cdn/upstream';
import { createMemoryState, type GenerationStore, type SharedState } from '../../src/state/index';

const AUTH = { kind: 'aksk', ak: 'AK-UNIT-0001', sk: 'SK-UNIT-SECRET-0001' } as const;
const ok = (body: unknown): RawResponse => ({ status: 200, headers: {}, body: JSON.stringify(body) });
const PATHS: Record<OperationName, string> = {
  'url-tasks': '/v1.0/cdn/contentgateway/url-tasks',
  historytasks: '/v1.0/cdn/historytasks',
  detail: '/v1.0/cdn/historytasks/42/detail',
  refresh: '/v1.0/cdn/content/refresh-tasks',
  preheat: '/v1.0/cdn/content/preheating-tasks',
};

// A terminal that answers every call with its number and counts calls by operation; `hold` keeps GETs waiting until released.
function scriptedTerminal(options: { failCreates?: boolean } = {}) {
  const seen: UpstreamRequest[] = [];
  const held: Array<() => void> = [];
  let holding = false;
  const handler: RawHandler = async (req) => {
    seen.push(req);
    const n = seen.length;
    if (req.method === 'POST') return options.failCreates ? { status: 503, headers: {}, body: '{"error_code":"CDN.0001","error_msg":"busy"}' } : ok({ refresh_task: String(n) });
    if (holding) await new Promise<void>((resolve) => held.push(resolve));
    return ok({ total: n, count: 0, result: [] });
  };
  return {
    handler,
    count: (op: OperationName) => seen.filter((r) => r.operation === op).length,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const go of held.splice(0)) go();
    },
    waiting: () => held.length,
  };
}

function build(terminal: RawHandler, economyOptions: EconomyOptions = {}) {
  const economy = createEconomy({ now: () => Date.now(), cacheTtlMs: 60_000, rateLimits: { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 }, ...economyOptions });
  const o = normalizeOptions({ endpoint: 'http://127.0.0.1:9100', auth: AUTH, random: () => 0, now: () => Date.now(), retry: { maxAttempts: 1 } });
  return composeUpstream({ options: o, redact: createRedactor([AUTH.ak, AUTH.sk]), economy }, terminal);
}

function call(op: OperationName, query: Record<string, string | number> = { limit: 10 }): UpstreamRequest {
  const method = op === 'refresh' || op === 'preheat' ? 'POST' : 'GET';
  return { operation: op, method, path: PATHS[op], query: method === 'GET' ? query : {}, ...(method === 'POST' ? { body: '{}' } : {}), deadline: Date.now() + 5000 };
}

// Waits (a few event-loop turns at most) until `cond` holds.
async function until(cond: () => boolean): Promise<void> {
  for (let turns = 0; !cond(); turns++) {
    if (turns > 1000) throw new Error('condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// The `total` a list answer carries: the terminal's call number that produced it.
const producedBy = async (p: Promise<{ json: unknown }>): Promise<number> => ((await p).json as { total: number }).total;

describe('list generation', () => {
  it('makes list calls after a create miss the cache, while task details and earlier answers of other keys stay', async () => {
    const t = scriptedTerminal();
    const handler = build(t.handler);
    const first = await producedBy(handler(call('url-tasks')));
    await handler(call('historytasks', { page_size: 10 }));
    await handler(call('detail', { page_size: 1 }));
    // Cached: the same calls cost nothing.
    expect(await producedBy(handler(call('url-tasks')))).toBe(first);
    expect(t.count('url-tasks')).toBe(1);

    await handler(call('refresh'));
    expect(await producedBy(handler(call('url-tasks')))).not.toBe(first);
    await handler(call('historytasks', { page_size: 10 }));
    await handler(call('detail', { page_size: 1 }));
    expect({ urlTasks: t.count('url-tasks'), historytasks: t.count('historytasks'), detail: t.count('detail') }).toEqual({ urlTasks: 2, historytasks: 2, detail: 1 });
    // And the new answers are cached in turn.
    await handler(call('url-tasks'));
    expect(t.count('url-tasks')).toBe(2);
  });

  it('leaves answers about a range that ended before the live margin cached across a create (a create adds records only at now)', async () => {
    const t = scriptedTerminal();
    const handler = build(t.handler);
    const past = { limit: 10, start_time: Date.now() - 2 * 86_400_000, end_time: Date.now() - 86_400_000 };
    const live = { limit: 10, start_time: Date.now() - 3_600_000, end_time: Date.now() };
    const pastFirst = await producedBy(handler(call('url-tasks', past)));
    const liveFirst = await producedBy(handler(call('url-tasks', live)));
    await handler(call('refresh'));
    expect(await producedBy(handler(call('url-tasks', past)))).toBe(pastFirst);
    expect(await producedBy(handler(call('url-tasks', live)))).not.toBe(liveFirst);
    expect(t.count('url-tasks')).toBe(3);
  });

  it('keeps a list call made after a create from joining one in flight from before it; calls on either side still coalesce', async () => {
    const t = scriptedTerminal();
    const handler = build(t.handler);
    t.hold();
    const before = [handler(call('url-tasks')), handler(call('url-tasks'))];
    await until(() => t.waiting() === 1);
    await handler(call('preheat'));
    const after = [handler(call('url-tasks')), handler(call('url-tasks'))];
    // The later calls make a flight of their own while the earlier one still waits.
    await until(() => t.waiting() === 2);
    t.release();
    const [b1, b2, a1, a2] = await Promise.all([...before, ...after].map(producedBy));
    expect(b1).toBe(b2);
    expect(a1).toBe(a2);
    expect(a1).not.toBe(b1);
    expect(t.count('url-tasks')).toBe(2);
  });

  it('invalidates after a failed create too: the task may exist although the call failed', async () => {
    const t = scriptedTerminal({ failCreates: true });
    const handler = build(t.handler);
    await handler(call('url-tasks'));
    await expect(handler(call('refresh'))).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await handler(call('url-tasks'));
    expect(t.count('url-tasks')).toBe(2);
  });

  it('shows a create through one replica to another sharing its state (as replicas sharing Redis do)', async () => {
    const shared: SharedState = createMemoryState({ cacheMaxBytes: 1 << 20 });
    const t = scriptedTerminal();
    const a = build(t.handler, { state: shared });
    const b = build(t.handler, { state: shared });
    // A replica serves shared entries once the upstream accepted its own credentials.
    await a(call('detail'));
    const first = await producedBy(b(call('url-tasks')));
    expect(await producedBy(a(call('url-tasks')))).toBe(first);
    await a(call('refresh'));
    expect(await producedBy(b(call('url-tasks')))).not.toBe(first);
    expect(t.count('url-tasks')).toBe(2);
  });

  it('bypasses the cache while the shared generation cannot be read, and still coalesces and separates calls around this replica\'s creates', async () => {
    const down: GenerationStore = { current: async () => undefined, bump: async () => false };
    const state: SharedState = { ...createMemoryState({ cacheMaxBytes: 1 << 20 }), generations: down };
    const t = scriptedTerminal();
    const handler = build(t.handler, { state });
    await handler(call('url-tasks'));
    await handler(call('url-tasks'));
    // Nothing stored or served: an answer kept under an unreadable generation could outlive a create elsewhere.
    expect(t.count('url-tasks')).toBe(2);
    await handler(call('detail'));
    await handler(call('detail'));
    expect(t.count('detail')).toBe(1);

    t.hold();
    const before = [handler(call('url-tasks')), handler(call('url-tasks'))];
    await until(() => t.waiting() === 1);
    await handler(call('refresh'));
    const after = handler(call('url-tasks'));
    await until(() => t.waiting() === 2);
    t.release();
    const [b1, b2, a1] = await Promise.all([...before, after].map(producedBy));
    expect(b1).toBe(b2);
    expect(a1).not.toBe(b1);
  });
});
