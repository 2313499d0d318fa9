/**
 * The fairness phase's requests and arithmetic (bench/lib/fairness.ts): the queries are valid
 * against the gateway's schema, every task id is asked once, answers are classified, the
 * victim's figures are nearest-rank percentiles over what was sent, rounds are pooled, and the
 * report shows both parts with their ratio. No timing is measured here.
 */
import { parse, validate, type GraphQLSchema } from 'graphql';
import {
  ATTACK_ITEMS,
  ENTITIES_QUERY,
  NODES_QUERY,
  PROBE_QUERY,
  VICTIM_QUERY,
  attackBody,
  classifyProbeAnswer,
  classifyVictimAnswer,
  formatFairnessReport,
  summarizeFairness,
  summarizeVictim,
  victimBody,
  type FairnessRun,
  type VictimSample,
} from '../../bench/lib/fairness';
import { percentile } from '../../bench/lib/figures';
import { fromGlobalId } from '../../src/graph/ids';
import { createSchema } from '../../src/graph/schema';

type AttackVariables = { ids?: string[]; r?: Array<{ __typename: string; id: string }> };

// The task ids an attack request asks for, decoded from its global ids.
function attackTaskIds(kind: 'nodes' | 'entities', n: number): string[] {
  const { variables } = JSON.parse(attackBody(kind, n)) as { variables: AttackVariables };
  const ids = kind === 'nodes' ? (variables.ids ?? []) : (variables.r ?? []).map((r) => r.id);
  return ids.map((id) => {
    const decoded = fromGlobalId(id);
    if (!decoded) throw new Error(`not a global id: ${id}`);
    return decoded.taskId;
  });
}

const ms = (...values: number[]): VictimSample[] => values.map((v) => ({ ms: v }));

describe('percentile', () => {
  it('takes the nearest rank: the smallest value that p % of the values do not exceed', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(values, 101)).toThrow('percentile must be from 0 to 100');
  });
});

describe('fairness requests', () => {
  let schema: GraphQLSchema;
  beforeAll(() => {
    schema = createSchema();
  });

  it("are valid queries of the gateway's schema, the flood's through Federation's _entities too", () => {
    for (const query of [VICTIM_QUERY, NODES_QUERY, ENTITIES_QUERY, PROBE_QUERY]) {
      expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
    }
  });

  it('ask for 100 tasks per attack request and one per victim lookup, each task id once over every kind and number', () => {
    const seen = new Set<string>();
    const add = (ids: string[]) => ids.forEach((id) => seen.add(id));
    let total = 0;
    for (const n of [0, 1, 2, 499]) {
      for (const kind of ['nodes', 'entities'] as const) {
        const ids = attackTaskIds(kind, n);
        expect(ids).toHaveLength(ATTACK_ITEMS);
        add(ids);
        total += ids.length;
      }
    }
    for (const n of [0, 1, 31, 32, 10_000]) {
      add([(JSON.parse(victimBody(n)) as { variables: { taskId: string } }).variables.taskId]);
      total++;
    }
    expect(seen.size).toBe(total);
  });

  it('make every _entities representation a UrlTask keyed by its global id', () => {
    const { variables } = JSON.parse(attackBody('entities', 3)) as { variables: AttackVariables };
    expect(variables.r?.every((r) => r.__typename === 'UrlTask' && fromGlobalId(r.id)?.type === 'UrlTask')).toBe(true);
    const nodes = JSON.parse(attackBody('nodes', 3)) as { variables: AttackVariables };
    expect(nodes.variables.ids?.every((id) => fromGlobalId(id)?.type === 'Task')).toBe(true);
  });

  it('refuse request numbers that would leave their range', () => {
    expect(() => attackBody('nodes', -1)).toThrow('non-negative integer');
    expect(() => victimBody(1.5)).toThrow('victim lookup number');
  });
});

describe('classifying answers', () => {
  it('counts a lookup answered with its task field and no errors as a success, null task included', () => {
    expect(classifyVictimAnswer(200, '{"data":{"task":null}}')).toBeUndefined();
    expect(classifyVictimAnswer(200, '{"data":{"task":{"id":"x"}}}')).toBeUndefined();
  });

  it('names what went wrong otherwise: the error code, the HTTP status, or a body that is not GraphQL', () => {
    expect(classifyVictimAnswer(200, '{"data":{"task":null},"errors":[{"message":"m","extensions":{"code":"UPSTREAM_RATE_LIMITED"}}]}')).toBe('UPSTREAM_RATE_LIMITED');
    expect(classifyVictimAnswer(401, '{"errors":[{"message":"m"}]}')).toBe('HTTP_401');
    expect(classifyVictimAnswer(503, 'Service Unavailable')).toBe('HTTP_503');
    expect(classifyVictimAnswer(200, 'not json')).toBe('BAD_BODY');
    expect(classifyVictimAnswer(200, '{"data":{}}')).toBe('BAD_BODY');
    expect(classifyVictimAnswer(200, 'null')).toBe('BAD_BODY');
  });

  it('accepts a probe only when it answers the Query type name', () => {
    expect(classifyProbeAnswer(200, '{"data":{"__typename":"Query"}}\n')).toBeUndefined();
    expect(classifyProbeAnswer(200, '{"data":{"task":null}}')).toBe('BAD_BODY');
    expect(classifyProbeAnswer(429, '{"errors":[{"message":"m","extensions":{"code":"RATE_LIMITED"}}]}')).toBe('RATE_LIMITED');
  });
});

describe('the victim figures', () => {
  it('take p50, p99 and the largest over the requests sent, and count successes and errors over all', () => {
    const samples: VictimSample[] = [...ms(10, 20, 30, 40), { ms: 5000, error: 'TIMEOUT' }, { ms: Number.NaN, error: 'NOT_SENT' }, { ms: 15, error: 'UPSTREAM_RATE_LIMITED' }];
    expect(summarizeVictim(samples)).toEqual({
      lookups: 7,
      successes: 4,
      p50Ms: 20,
      p99Ms: 5000,
      maxMs: 5000,
      errors: { TIMEOUT: 1, NOT_SENT: 1, UPSTREAM_RATE_LIMITED: 1 },
    });
    expect(summarizeVictim([{ ms: Number.NaN, error: 'NOT_SENT' }])).toMatchObject({ lookups: 1, successes: 0, p50Ms: Number.NaN, maxMs: Number.NaN });
  });
});

describe('fairness summaries and report', () => {
  const run = (round: number, over: Partial<FairnessRun> = {}): FairnessRun => ({
    id: 'F1',
    round,
    alone: { lookups: ms(10, 10, 20, 40), probes: ms(2, 4) },
    attacked: { lookups: ms(30, 50, 60, 200), probes: ms(3, 5) },
    attack: { requests: 100, answered: {}, seconds: 5, floodOnAfterMs: 400 },
    upstreamDetailCalls: 150,
    upstreamThrottled: 1,
    gatewayCpu: { aloneMs: 400, aloneSeconds: 4, attackedMs: 4000 },
    ...over,
  });

  it('pool the rounds of each gateway and divide under attack by alone', () => {
    const [f1, variant] = summarizeFairness([
      run(1),
      run(1, { id: 'F1[small]', attack: { requests: 10, answered: { ok: 2 }, seconds: 4 } }),
      run(2, { alone: { lookups: ms(10, 10, 20, 60), probes: ms(2) }, attacked: { lookups: [{ ms: 5000, error: 'TIMEOUT' }], probes: ms(4) }, attack: { requests: 50, answered: { MAX_COST: 1 }, seconds: 5, floodOnAfterMs: 600 } }),
    ]);
    expect(f1).toMatchObject({
      id: 'F1',
      rounds: 2,
      alone: { lookups: 8, successes: 8, p50Ms: 10, p99Ms: 60, maxMs: 60 },
      attacked: { lookups: 5, successes: 4, p50Ms: 60, p99Ms: 5000, errors: { TIMEOUT: 1 } },
      aloneProbes: { lookups: 3, p50Ms: 2 },
      attackedProbes: { lookups: 3, p50Ms: 4 },
      p50Ratio: 6,
      p99Ratio: 5000 / 60,
      probeP50Ratio: 2,
      attack: { requests: 150, answered: { MAX_COST: 1 }, upstreamDetailPerSecond: 30, floodOnAfterMs: 500, floodMissed: 0 },
      upstreamThrottled: 2,
      // Run 1: 400 ms over 4 s alone, 4000 ms over 5 s and 100 requests under attack; run 2 the same CPU over 5 s and 50 requests.
      gatewayCpu: { aloneShare: 0.1, attackedShare: 0.8, msPerAttackRequest: 8000 / 150 },
    });
    expect(variant).toMatchObject({ id: 'F1[small]', rounds: 1, attack: { requests: 10, answered: { ok: 2 }, floodMissed: 1 } });
    expect(variant?.attack.floodOnAfterMs).toBeUndefined();
  });

  it('leave a ratio out when the victim alone has no latency to divide by', () => {
    const [s] = summarizeFairness([run(1, { alone: { lookups: [{ ms: Number.NaN, error: 'NOT_SENT' }], probes: [] } })]);
    expect(s?.p50Ratio).toBeUndefined();
    expect(s?.probeP50Ratio).toBeUndefined();
  });

  it('print both parts, lookups and probes, with the ratios, the attack and a flood that never reached the upstream', () => {
    const text = formatFairnessReport(summarizeFairness([run(1), run(1, { id: 'F1[x]', attack: { requests: 7, answered: {}, seconds: 4 } })]), {
      attackers: 4,
      abortMs: 300,
      intervalMs: 100,
      timeoutMs: 5000,
    });
    expect(text).toContain('4 nodes(ids:) + 4 _entities loops of 100 uncached lookups, each request abandoned after 300 ms');
    expect(text).toContain('| F1 | task lookups, alone | 4/4 | 10.0 | 40.0 | 40.0 | – |');
    expect(text).toContain('| F1 | task lookups, under attack | 4/4 | 50.0 | 200.0 | 200.0 | – |');
    expect(text).toContain('| F1 | { __typename } probes, under attack | 2/2 | 3.0 | 5.0 | 5.0 | – |');
    expect(text).toContain('F1: lookups under attack / alone p50 × 5.00, p99 × 5.00; probes p50 × 1.50');
    expect(text).toContain('upstream detail calls 30.0/s under attack (quota spoken for after 400 ms)');
    expect(text).toContain('**not reached in 15 s in 1 run(s)**');
    expect(text).toContain('gateway CPU 10 % of a core alone, 80 % under attack (40.0 ms per attack request)');
  });
});
