/**
 * Fair share of the quota (docs/architecture.md, Fairness), end to end: GraphQL clients →
 * gateway with API-key callers → simulator, over loopback. An attacker floods one operation's
 * quota (`nodes(ids:)` and `_entities` with 100 uncached task ids per request; fifteen aliases of
 * a 31-day `urlTasks`) and abandons its requests; a second caller's 32 lookups, one after
 * another, all succeed, and at most one attacker slot is served between each one's asking and its
 * start (measured in slots handed out, not in time). Nothing the attacker abandoned stays booked
 * in the limiter store. test/integration/fair-share-redis.test.ts does the same across two gateways.
 */
import type { EconomyEvent } from '../../src/cdn/economy';
import { eventually } from '../support/eventually';
import { ATTACKER_KEY, attackIds, countingState, DETAIL_LIMIT, VICTIM_KEY } from '../support/flood';
import { OPS, startStack, type Stack } from '../support/stack';

let stack: Stack | undefined;
// Stops the running test's attacker, so that a failed or timed-out test leaves no loop behind for the next.
let haltAttack = (): void => undefined;

afterEach(async () => {
  haltAttack();
  await stack?.close();
  stack = undefined;
});

// One attack on one operation's quota: what the attacker floods, and what the victim asks meanwhile.
interface Flood {
  readonly operation: 'detail' | 'url-tasks';
  /** The gateway's limit for the operation in this scenario. */
  readonly limit: number;
  /** The attacker's request of a round: distinct per round, so nothing is cached or coalesced. */
  attack(round: number): { query: string; variables?: Record<string, unknown> };
  /** The victim's i-th lookup, and what its answer must be. */
  victim(i: number): string;
  answered(data: Record<string, unknown> | null | undefined): boolean;
}

// A 31-day range, the widest allowed: the gateway reads it with one url-tasks call per day.
const wideRange = (): { after: string; before: string } => {
  const end = Date.now() - 60_000;
  return { after: new Date(end - 31 * 86_400_000 + 60_000).toISOString(), before: new Date(end).toISOString() };
};

const FLOODS: Record<string, Flood> = {
  // nodes(ids:) and _entities in turn, 100 uncached ids each: one detail call per id.
  'nodes(ids:) and _entities': {
    operation: 'detail',
    limit: DETAIL_LIMIT,
    attack: (round) =>
      round % 2 === 0
        ? { query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: attackIds(round) } }
        : {
            query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Task { id } } }',
            variables: { r: attackIds(round).map((id) => ({ __typename: 'Task', id })) },
          },
    victim: (i) => `{ task(taskId: "${20_000_000 + i}") { id } }`,
    answered: (data) => data?.task === null,
  },
  // Fifteen aliases of a 31-day urlTasks with totalCount and a filter nothing matches: 465 url-tasks calls a request.
  'wide urlTasks': {
    operation: 'url-tasks',
    limit: 20,
    attack: (round) => ({
      query: `query($after: DateTime!, $before: DateTime!) { ${Array.from({ length: 15 }, (_, i) => `a${i}: urlTasks(first: 1, filter: { createdAfter: $after, createdBefore: $before, url: "https://nothing.example/${round}/${i}" }) { totalCount }`).join(' ')} }`,
      variables: wideRange(),
    }),
    victim: (i) => `{ urlTasks(first: 1, filter: { url: "https://victim.example/${i}" }) { totalCount } }`,
    answered: (data) => (data?.urlTasks as { totalCount?: number } | undefined)?.totalCount === 0,
  },
};

describe('one caller flooding the quota', () => {
  it.each(Object.keys(FLOODS))("with %s cannot hold back another caller's lookups: at most one slot goes to the attacker first, and abandoned slots go back", async (name) => {
    const flood = FLOODS[name]!;
    const op = flood.operation;
    const events: EconomyEvent[] = [];
    let attackerStarts = 0;
    const { state, counts } = countingState(undefined, op);
    stack = await startStack({
      // The simulator's own limit is lifted: it counts arrivals per second on a busy machine; the gateway's limiter is what is tested.
      simulator: { records: 2000, rateLimits: { 'url-tasks': 0, detail: 0 } },
      env: {
        AUTH_MODE: 'api-key',
        API_KEYS: `${ATTACKER_KEY},${VICTIM_KEY}`,
        [op === 'detail' ? 'RATE_LIMIT_DETAIL' : 'RATE_LIMIT_URL_TASKS']: String(flood.limit),
        CACHE_TTL_MS: '0',
        // Generous deadlines: on an overloaded machine the in-process simulator answers slowly; turns, not time, are tested.
        REQUEST_TIMEOUT_MS: '30000',
        UPSTREAM_TIMEOUT_MS: '30000',
        SHUTDOWN_TIMEOUT_MS: '30000',
      },
      economy: {
        state,
        coalesce: false,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'started' && e.operation === op && e.caller === 'api-key:key-1') attackerStarts++;
        },
      },
    });
    const s = stack;
    const started = (caller: string): Array<Extract<EconomyEvent, { type: 'started' }>> =>
      events.filter((e): e is Extract<EconomyEvent, { type: 'started' }> => e.type === 'started' && e.operation === op && e.caller === caller);
    const limiterOf = () => s.economy?.metrics().limiter.byOperation[op];

    // The attacker: 4 requests at a time, each abandoned once one window's worth more of its calls were served.
    let stop = false;
    haltAttack = () => {
      stop = true;
    };
    let round = 0;
    const attackerRequests: Array<Promise<unknown>> = [];
    const attack = async (): Promise<void> => {
      while (!stop) {
        const controller = new AbortController();
        const before = attackerStarts;
        const sent = fetch(s.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': ATTACKER_KEY },
          body: JSON.stringify(flood.attack(round++)),
          signal: controller.signal,
        }).catch(() => undefined);
        attackerRequests.push(sent);
        await eventually(() => expect(stop || attackerStarts >= before + flood.limit).toBe(true), { timeoutMs: 30_000 }).catch(() => undefined); // a slow machine: abandon it anyway
        controller.abort();
        await sent;
      }
    };
    const attackers = Array.from({ length: 4 }, () => attack());
    // The flood is on: the attacker has attempts queued for slots.
    await eventually(() => expect(limiterOf()?.queueLength).toBeGreaterThanOrEqual(flood.limit / 2), { timeoutMs: 90_000 });

    // The victim: 32 lookups nobody else asks for, one after another.
    const answers = [];
    for (let i = 0; i < 32; i++) answers.push(await s.query(flood.victim(i), undefined, { 'x-api-key': VICTIM_KEY }));
    const queuedWhileVictim = limiterOf()?.queued ?? 0;
    stop = true;
    await Promise.all(attackers);
    await Promise.all(attackerRequests);

    expect(answers.map((a) => a.errors?.[0]?.extensions?.code)).toEqual(Array(32).fill(undefined));
    expect(answers.every((a) => a.status === 200 && flood.answered(a.data))).toBe(true);
    const victim = started('api-key:key-2');
    expect(victim).toHaveLength(32);
    // Two callers wait: at most one attacker turn between the victim's asking and its own (slots that came due while the
    // event loop lagged start in turn: src/cdn/fair-share.ts, dueUntil). First come, first served would put the attacker's
    // whole backlog (dozens of slots) ahead of every lookup.
    expect(Math.max(...victim.map((e) => e.slotsAhead))).toBeLessThanOrEqual(1);
    // The victim really competed with a backlog: the attacker's attempts were queued all along.
    expect(queuedWhileVictim).toBeGreaterThan(32);

    // Every abandoned booking went back: what was booked either started or was released, nothing stays booked.
    await eventually(() => expect(limiterOf()?.queueLength).toBe(0));
    const startedAll = events.filter((e) => e.type === 'started' && e.operation === op).length;
    expect(counts.released).toBeGreaterThan(0);
    expect(counts.booked).toBe(startedAll + counts.released);
    // Only started slots reached the simulator (an abandoned request's calls may be cut on the wire before they arrive).
    expect(await s.upstreamCalls(op === 'detail' ? OPS.detail : OPS.urlTasks)).toBeLessThanOrEqual(startedAll);
  }, 300_000);
});
