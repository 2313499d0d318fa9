/**
 * Runs the fairness phase against one gateway (started with `AUTH_MODE=api-key`, the victim's
 * and the attacker's keys, the limiter at its defaults, the response cache off) whose upstream
 * is a simulator enforcing Huawei's rate limits: the victim's lookups alone, then the same
 * lookups while the attacker floods. The arithmetic is in `fairness.ts`.
 */
import { routeKey } from '../../src/cdn/operations';
import { readProcess } from './proc';
import { PROBE_QUERY, attackBody, classifyProbeAnswer, classifyVictimAnswer, victimBody, type AttackFigures, type FairnessRun, type PartSamples, type VictimSample } from './fairness';

/** The two callers' API keys (the gateway's `API_KEYS`: attacker first, so it is `key-1`). */
export const ATTACKER_KEY = 'bench-attacker-key-0123456789';
export const VICTIM_KEY = 'bench-victim-key-0123456789ab';

/** How one fairness run goes. */
export interface FairnessSpec {
  readonly id: string;
  readonly round: number;
  /** The gateway's and the simulator's origins. */
  readonly origin: string;
  readonly simOrigin: string;
  /** Victim lookups per part. */
  readonly lookups: number;
  /** Least time between the starts of two victim lookups, in ms (they never overlap). */
  readonly intervalMs: number;
  /** When the victim gives a request up, in ms (counted as `TIMEOUT`, at this latency). */
  readonly timeoutMs: number;
  /** Attack loops of each kind (nodes, _entities), each with one request in flight. */
  readonly attackers: number;
  /** When the attacker abandons each request, in ms. */
  readonly abortMs: number;
  /** Detail calls per second the simulator accepts (the flood counts as on once one second's worth went upstream). */
  readonly detailLimit: number;
  /** The gateway's process id, whose CPU time is read from /proc. */
  readonly gatewayPid: number;
}

/** Numbers the run's requests draw from, so that no task id is asked twice in the whole bench. */
export interface Sequences {
  victim: number;
  nodes: number;
  entities: number;
}

const GRAPHQL_HEADERS = { 'content-type': 'application/json' };
const DETAIL = routeKey('detail');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Time between the starts of two `{ __typename }` probes, in ms. */
const PROBE_INTERVAL_MS = 250;

/** Time a part may take beyond its lookups' pace before the lookups left are not sent (keeps an overwhelmed gateway's phase short), in ms. */
const PART_SLACK_MS = 15_000;

/** Runs the victim alone, then under attack, and returns what was measured. */
export async function runFairness(spec: FairnessSpec, seq: Sequences): Promise<FairnessRun> {
  const statsAtStart = await simStats(spec.simOrigin);
  // Warm-up, not measured: the gateway's first requests compile code and open connections.
  for (let i = 0; i < 3; i++) await victimRequest(spec.origin, victimBody(seq.victim++), spec.timeoutMs, classifyVictimAnswer);
  await upstreamSettled(spec.simOrigin);

  const cpuAtAlone = readProcess(spec.gatewayPid).cpuMs;
  const aloneStart = performance.now();
  const alone = await victimPart(spec, seq);
  const aloneSeconds = (performance.now() - aloneStart) / 1000;
  const cpuAlone = readProcess(spec.gatewayPid).cpuMs - cpuAtAlone;
  await upstreamSettled(spec.simOrigin);

  const before = await simStats(spec.simOrigin);
  const cpuAtAttack = readProcess(spec.gatewayPid).cpuMs;
  const attack = startAttack(spec, seq);
  // The flood is on once a second's worth of detail calls went upstream: the quota is spoken for. An attack that does not
  // get there in 15 s (a gateway the flood overwhelms before it calls upstream) is measured all the same, and said so.
  const attackStart = performance.now();
  let floodOnAfterMs: number | undefined;
  while (floodOnAfterMs === undefined && performance.now() - attackStart < 15_000) {
    if ((await simStats(spec.simOrigin)).detail - before.detail >= spec.detailLimit) floodOnAfterMs = performance.now() - attackStart;
    else await sleep(50);
  }
  const attacked = await victimPart(spec, seq);
  const figures = await attack.stop();
  const cpuAttacked = readProcess(spec.gatewayPid).cpuMs - cpuAtAttack;
  const after = await simStats(spec.simOrigin);
  await upstreamSettled(spec.simOrigin);
  const atEnd = await simStats(spec.simOrigin);
  return {
    id: spec.id,
    round: spec.round,
    alone,
    attacked,
    attack: { ...figures, ...(floodOnAfterMs === undefined ? {} : { floodOnAfterMs }) },
    upstreamDetailCalls: after.detail - before.detail,
    upstreamThrottled: atEnd.throttled - statsAtStart.throttled,
    gatewayCpu: { aloneMs: cpuAlone, aloneSeconds, attackedMs: cpuAttacked },
  };
}

// One part of the victim's: its lookups, one at a time, each started no sooner than `intervalMs` after the previous one
// (those not sent by the part's deadline are counted as NOT_SENT), and meanwhile its probes, one every PROBE_INTERVAL_MS.
async function victimPart(spec: FairnessSpec, seq: Sequences): Promise<PartSamples> {
  const lookups: VictimSample[] = [];
  const probes: VictimSample[] = [];
  const start = performance.now();
  const deadline = start + spec.lookups * spec.intervalMs + PART_SLACK_MS;
  let done = false;
  const probing = (async () => {
    for (let i = 0; !done; i++) {
      probes.push(await victimRequest(spec.origin, JSON.stringify({ query: PROBE_QUERY }), spec.timeoutMs, classifyProbeAnswer));
      const wait = start + (i + 1) * PROBE_INTERVAL_MS - performance.now();
      if (wait > 0 && !done) await sleep(wait);
    }
  })();
  for (let i = 0; i < spec.lookups; i++) {
    const wait = start + i * spec.intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    if (performance.now() > deadline) {
      lookups.push({ ms: Number.NaN, error: 'NOT_SENT' });
      continue;
    }
    lookups.push(await victimRequest(spec.origin, victimBody(seq.victim++), spec.timeoutMs, classifyVictimAnswer));
  }
  done = true;
  await probing;
  return { lookups, probes };
}

// One victim request, timed from sending to the whole answer read, given up after `timeoutMs`.
async function victimRequest(origin: string, body: string, timeoutMs: number, classify: (status: number, body: string) => string | undefined): Promise<VictimSample> {
  const t0 = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { ...GRAPHQL_HEADERS, 'x-api-key': VICTIM_KEY }, body, signal: controller.signal });
    const text = await res.text();
    const error = classify(res.status, text);
    return { ms: performance.now() - t0, ...(error === undefined ? {} : { error }) };
  } catch {
    return controller.signal.aborted ? { ms: timeoutMs, error: 'TIMEOUT' } : { ms: performance.now() - t0, error: 'NETWORK' };
  } finally {
    clearTimeout(timer);
  }
}

// Starts the attacker's loops; `stop` ends them once their requests in flight are abandoned.
function startAttack(spec: FairnessSpec, seq: Sequences): { stop(): Promise<AttackFigures> } {
  let stopped = false;
  let requests = 0;
  const answered: Record<string, number> = {};
  const started = performance.now();
  const loop = async (kind: 'nodes' | 'entities') => {
    while (!stopped) {
      const body = attackBody(kind, kind === 'nodes' ? seq.nodes++ : seq.entities++);
      const controller = new AbortController();
      const sentAt = performance.now();
      const timer = setTimeout(() => controller.abort(), spec.abortMs);
      requests++;
      try {
        const res = await fetch(`${spec.origin}/graphql`, { method: 'POST', headers: { ...GRAPHQL_HEADERS, 'x-api-key': ATTACKER_KEY }, body, signal: controller.signal });
        const text = await res.text();
        const code = classifyVictimAnswer(res.status, text) ?? 'ok';
        answered[code] = (answered[code] ?? 0) + 1;
        // An answer before the abort (a refusal): keep the pace of one request per abort time rather than spin.
        const left = spec.abortMs - (performance.now() - sentAt);
        if (left > 0) await sleep(left);
      } catch {
        // Abandoned: the point of the attack.
      } finally {
        clearTimeout(timer);
      }
    }
  };
  const loops = Array.from({ length: spec.attackers }, () => [loop('nodes'), loop('entities')]).flat();
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { requests, answered, seconds: (performance.now() - started) / 1000 };
    },
  };
}

// The simulator's detail calls and 429s so far.
async function simStats(simOrigin: string): Promise<{ detail: number; throttled: number }> {
  const res = await fetch(`${simOrigin}/__sim/stats`);
  if (!res.ok) throw new Error(`simulator stats answered ${res.status}`);
  const stats = (await res.json()) as { requests: Record<string, number>; throttled: number };
  return { detail: stats.requests[DETAIL] ?? 0, throttled: stats.throttled };
}

// Waits until the simulator has seen no detail call for 300 ms (at most 10 s), then a second more so
// that its one-second rate-limit window and the gateway's are empty again.
async function upstreamSettled(simOrigin: string): Promise<void> {
  let last = (await simStats(simOrigin)).detail;
  for (let waited = 0; waited < 10_000; waited += 300) {
    await sleep(300);
    const now = (await simStats(simOrigin)).detail;
    if (now === last) break;
    last = now;
  }
  await sleep(1_000);
}
