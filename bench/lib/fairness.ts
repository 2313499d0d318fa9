/**
 * The fairness phase's requests and arithmetic, pure (issue 13: a fair share of the upstream
 * quota between callers). A victim caller looks tasks up one at a time, first alone, then while
 * an attacker floods the gateway with `nodes(ids:)` and `_entities` requests of 100 uncached
 * task lookups each, abandoning every one after a few hundred ms; the report compares the
 * victim's latency in both parts of the same run.
 *
 * Every task id is asked once in the whole run (attack requests, entity representations and
 * victim lookups draw from separate ranges, each request from its own numbers), so no cache and
 * no coalescing of identical in-flight calls can serve one lookup from another's upstream call.
 * No task has these ids in the simulator: each lookup costs one detail call and answers null.
 *
 * Next to the lookups, the victim sends a `{ __typename }` probe now and then, which costs no
 * upstream call: when the probes slow down as much as the lookups, what holds the victim back
 * is the gateway's CPU (or the machine's), not its share of the upstream quota.
 */
import { toTaskGlobalId, toUrlTaskGlobalId } from '../../src/graph/ids';
import { median, percentile } from './figures';

/** Items in one attack request: the most `nodes(ids:)` and `_entities` accept (MAX_NODE_IDS). */
export const ATTACK_ITEMS = 100;

// The task id ranges: each kind of request draws from its own, so no id is asked twice.
const NODES_BASE = 10_000_000;
const ENTITIES_BASE = 50_000_000;
const VICTIM_BASE = 90_000_000;

/** The victim's queries (a lookup and the probe) and the attacker's. */
export const PROBE_QUERY = '{ __typename }';
export const VICTIM_QUERY = 'query Victim($taskId: ID!) { task(taskId: $taskId) { id } }';
export const NODES_QUERY = 'query FloodNodes($ids: [ID!]!) { nodes(ids: $ids) { id } }';
export const ENTITIES_QUERY = 'query FloodEntities($r: [_Any!]!) { _entities(representations: $r) { ... on UrlTask { id } } }';

/** Builds the n-th attack request of a kind (n counts that kind's requests over the run): 100 task lookups nobody else asks. */
export function attackBody(kind: 'nodes' | 'entities', n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`attack request number must be a non-negative integer; got ${n}`);
  const taskIds = Array.from({ length: ATTACK_ITEMS }, (_, i) => String((kind === 'nodes' ? NODES_BASE : ENTITIES_BASE) + n * ATTACK_ITEMS + i));
  if (kind === 'nodes') return JSON.stringify({ query: NODES_QUERY, variables: { ids: taskIds.map((id) => toTaskGlobalId(id, null)) } });
  // A UrlTask entity is keyed by its global id, which names its task: each representation costs that task's detail call.
  return JSON.stringify({ query: ENTITIES_QUERY, variables: { r: taskIds.map((id) => ({ __typename: 'UrlTask', id: toUrlTaskGlobalId(id, 0, null) })) } });
}

/** Builds the victim's n-th lookup (n counts its lookups over the run). */
export function victimBody(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= ENTITIES_BASE) throw new RangeError(`victim lookup number must be an integer from 0 to ${ENTITIES_BASE - 1}; got ${n}`);
  return JSON.stringify({ query: VICTIM_QUERY, variables: { taskId: String(VICTIM_BASE + n) } });
}

/**
 * Classifies the answer to a victim lookup: undefined when it succeeded (HTTP 200, no errors,
 * a `task` field), otherwise what went wrong: the first error's `extensions.code`, else
 * `HTTP_<status>`, or `BAD_BODY` for an answer that is not GraphQL JSON.
 */
export function classifyVictimAnswer(status: number, body: string): string | undefined {
  let parsed: { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: unknown } }> };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return status === 200 ? 'BAD_BODY' : `HTTP_${status}`;
  }
  if (typeof parsed !== 'object' || parsed === null) return status === 200 ? 'BAD_BODY' : `HTTP_${status}`;
  const code = parsed.errors?.[0]?.extensions?.code;
  if (parsed.errors !== undefined) return typeof code === 'string' ? code : `HTTP_${status}`;
  if (status !== 200) return `HTTP_${status}`;
  return parsed.data && 'task' in parsed.data ? undefined : 'BAD_BODY';
}

/** Classifies the answer to a probe: undefined when it is `{"data":{"__typename":"Query"}}`, otherwise as `classifyVictimAnswer`. */
export function classifyProbeAnswer(status: number, body: string): string | undefined {
  if (status === 200 && body.trim() === '{"data":{"__typename":"Query"}}') return undefined;
  return classifyVictimAnswer(status, body) ?? 'BAD_BODY';
}

/** One victim lookup: how long the victim waited for its answer, and what went wrong (absent when it succeeded). */
export interface VictimSample {
  readonly ms: number;
  readonly error?: string;
}

/** What the attacker did during one attacked part. */
export interface AttackFigures {
  /** Attack requests sent. */
  readonly requests: number;
  /** Requests answered before the attacker abandoned them, by outcome (`ok` or the first error code): a flood that is refused at once is no flood. */
  readonly answered: Readonly<Record<string, number>>;
  /** How long the attack ran, in s. */
  readonly seconds: number;
  /** How long after it started the attack had a second's worth of detail calls upstream (the victim's part starts then); absent when it never did (in 15 s). */
  readonly floodOnAfterMs?: number;
}

/** What the victim measured in one part (alone, or under attack). */
export interface PartSamples {
  /** Its task lookups, in order; a lookup not sent before the part's deadline has no latency (`ms` NaN, error `NOT_SENT`). */
  readonly lookups: readonly VictimSample[];
  /** Its `{ __typename }` probes, sent meanwhile. */
  readonly probes: readonly VictimSample[];
}

/** One run of the fairness phase against one gateway: the victim alone, then under attack. */
export interface FairnessRun {
  /** `F1`, or `F1[name]` for a variant of the gateway. */
  readonly id: string;
  readonly round: number;
  readonly alone: PartSamples;
  readonly attacked: PartSamples;
  readonly attack: AttackFigures;
  /** Detail calls the simulator received while the attack ran (victim's included). */
  readonly upstreamDetailCalls: number;
  /** Calls the simulator refused with 429 during the run (both parts). */
  readonly upstreamThrottled: number;
  /** The gateway process's CPU time (user + system, ms) and the wall time (s) of the victim's part alone and of the attack. */
  readonly gatewayCpu: { readonly aloneMs: number; readonly aloneSeconds: number; readonly attackedMs: number };
}

/** The victim's latency over a set of requests: every one answered or given up on (the time the victim waited), failed ones too; not those never sent. */
export interface VictimFigures {
  readonly lookups: number;
  readonly successes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Failed lookups by what went wrong. */
  readonly errors: Readonly<Record<string, number>>;
}

/** Summarizes victim requests: nearest-rank p50 and p99 and the largest of those sent, successes and errors by code. */
export function summarizeVictim(samples: readonly VictimSample[]): VictimFigures {
  const ms = samples.map((s) => s.ms).filter((m) => Number.isFinite(m));
  const errors: Record<string, number> = {};
  for (const s of samples) if (s.error !== undefined) errors[s.error] = (errors[s.error] ?? 0) + 1;
  return {
    lookups: samples.length,
    successes: samples.filter((s) => s.error === undefined).length,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
    maxMs: ms.length === 0 ? Number.NaN : Math.max(...ms),
    errors,
  };
}

/** The fairness phase's figures for one gateway, its rounds pooled. */
export interface FairnessSummary {
  readonly id: string;
  readonly rounds: number;
  /** The lookups. */
  readonly alone: VictimFigures;
  readonly attacked: VictimFigures;
  /** The probes. */
  readonly aloneProbes: VictimFigures;
  readonly attackedProbes: VictimFigures;
  /** The lookups' latency under attack over alone; undefined when alone is 0 or unknown. */
  readonly p50Ratio?: number;
  readonly p99Ratio?: number;
  /** The probes' latency under attack over alone. */
  readonly probeP50Ratio?: number;
  readonly attack: {
    readonly requests: number;
    readonly answered: Readonly<Record<string, number>>;
    /** Detail calls per second the simulator received while the attack ran. */
    readonly upstreamDetailPerSecond: number;
    /** Median time from the attack's start until it had a second's worth of detail calls upstream, over the runs where it did. */
    readonly floodOnAfterMs?: number;
    /** Runs in which it never did (in 15 s): the victim was measured against a flood that had not reached the upstream. */
    readonly floodMissed: number;
  };
  readonly upstreamThrottled: number;
  /** The gateway's CPU time over wall time, alone and under attack (1 = one core busy all along), and its CPU per attack request (ms). */
  readonly gatewayCpu: { readonly aloneShare: number; readonly attackedShare: number; readonly msPerAttackRequest: number };
}

/**
 * Summarizes fairness runs by gateway, in the order they first appear. Rounds are pooled, not
 * medianed: a run holds a few dozen lookups, and the tail is what the phase is about.
 */
export function summarizeFairness(runs: readonly FairnessRun[]): FairnessSummary[] {
  const groups = new Map<string, FairnessRun[]>();
  for (const run of runs) groups.set(run.id, [...(groups.get(run.id) ?? []), run]);
  return [...groups.entries()].map(([id, group]) => {
    const alone = summarizeVictim(group.flatMap((r) => r.alone.lookups));
    const attacked = summarizeVictim(group.flatMap((r) => r.attacked.lookups));
    const aloneProbes = summarizeVictim(group.flatMap((r) => r.alone.probes));
    const attackedProbes = summarizeVictim(group.flatMap((r) => r.attacked.probes));
    const answered: Record<string, number> = {};
    for (const r of group) for (const [k, v] of Object.entries(r.attack.answered)) answered[k] = (answered[k] ?? 0) + v;
    const seconds = group.reduce((sum, r) => sum + r.attack.seconds, 0);
    const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : undefined);
    const p50Ratio = ratio(attacked.p50Ms, alone.p50Ms);
    const p99Ratio = ratio(attacked.p99Ms, alone.p99Ms);
    const probeP50Ratio = ratio(attackedProbes.p50Ms, aloneProbes.p50Ms);
    const floodOn = group.flatMap((r) => (r.attack.floodOnAfterMs === undefined ? [] : [r.attack.floodOnAfterMs]));
    return {
      id,
      rounds: group.length,
      alone,
      attacked,
      aloneProbes,
      attackedProbes,
      ...(p50Ratio === undefined ? {} : { p50Ratio }),
      ...(p99Ratio === undefined ? {} : { p99Ratio }),
      ...(probeP50Ratio === undefined ? {} : { probeP50Ratio }),
      attack: {
        requests: group.reduce((sum, r) => sum + r.attack.requests, 0),
        answered,
        upstreamDetailPerSecond: seconds > 0 ? group.reduce((sum, r) => sum + r.upstreamDetailCalls, 0) / seconds : 0,
        ...(floodOn.length === 0 ? {} : { floodOnAfterMs: median(floodOn) }),
        floodMissed: group.length - floodOn.length,
      },
      upstreamThrottled: group.reduce((sum, r) => sum + r.upstreamThrottled, 0),
      gatewayCpu: {
        aloneShare: share(sum(group, (r) => r.gatewayCpu.aloneMs), sum(group, (r) => r.gatewayCpu.aloneSeconds)),
        attackedShare: share(sum(group, (r) => r.gatewayCpu.attackedMs), seconds),
        msPerAttackRequest: share(sum(group, (r) => r.gatewayCpu.attackedMs), sum(group, (r) => r.attack.requests) / 1000),
      },
    };
  });
}

// Adds a figure over runs.
function sum(runs: readonly FairnessRun[], f: (r: FairnessRun) => number): number {
  return runs.reduce((total, r) => total + f(r), 0);
}

// CPU ms over wall s as a share of one core; NaN without wall time.
function share(cpuMs: number, seconds: number): number {
  return seconds > 0 ? cpuMs / 1000 / seconds : Number.NaN;
}

/** Formats the fairness summaries as a Markdown table with the ratios and the attack under it. */
export function formatFairnessReport(summaries: readonly FairnessSummary[], setup: FairnessSetup): string {
  const lines = [
    `Fairness (victim: task lookups one at a time, one every ${setup.intervalMs} ms at most, given up after ${setup.timeoutMs} ms; ` +
      `attacker: ${setup.attackers} nodes(ids:) + ${setup.attackers} _entities loops of ${ATTACK_ITEMS} uncached lookups, each request abandoned after ${setup.abortMs} ms):`,
    '',
    '| phase | victim | ok | p50 ms | p99 ms | max ms | errors |',
    '|---|---|--:|--:|--:|--:|---|',
  ];
  const row = (id: string, part: string, v: VictimFigures) =>
    `| ${id} | ${part} | ${v.successes}/${v.lookups} | ${fmt(v.p50Ms, 1)} | ${fmt(v.p99Ms, 1)} | ${fmt(v.maxMs, 1)} | ${formatCounts(v.errors)} |`;
  for (const s of summaries) {
    lines.push(
      row(s.id, 'task lookups, alone', s.alone),
      row(s.id, 'task lookups, under attack', s.attacked),
      row(s.id, '{ __typename } probes, alone', s.aloneProbes),
      row(s.id, '{ __typename } probes, under attack', s.attackedProbes),
    );
  }
  lines.push('');
  for (const s of summaries) {
    lines.push(
      `${s.id}: lookups under attack / alone p50 × ${fmt(s.p50Ratio, 2)}, p99 × ${fmt(s.p99Ratio, 2)}; probes p50 × ${fmt(s.probeP50Ratio, 2)}; ` +
        `attacker ${s.attack.requests} requests (answered before abandoned: ${formatCounts(s.attack.answered)}), ` +
        `upstream detail calls ${fmt(s.attack.upstreamDetailPerSecond, 1)}/s under attack (quota spoken for after ${fmt(s.attack.floodOnAfterMs, 0)} ms` +
        `${s.attack.floodMissed > 0 ? `; **not reached in 15 s in ${s.attack.floodMissed} run(s)**` : ''}), simulator 429s ${s.upstreamThrottled}; ` +
        `gateway CPU ${fmt(s.gatewayCpu.aloneShare * 100, 0)} % of a core alone, ${fmt(s.gatewayCpu.attackedShare * 100, 0)} % under attack ` +
        `(${fmt(s.gatewayCpu.msPerAttackRequest, 1)} ms per attack request)` +
        (s.rounds > 1 ? ` (${s.rounds} rounds pooled)` : ''),
    );
  }
  return lines.join('\n');
}

/** The attack and the victim's pace, as the report states them. */
export interface FairnessSetup {
  readonly attackers: number;
  readonly abortMs: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

// `CODE n, CODE n`, or a dash for none.
function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '–' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

// A number with fixed decimals, or a dash when unknown.
function fmt(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}
