/**
 * The soak: a simulator in this process, the gateway in a child process (gateway-child.ts),
 * and a paced load of the mixed requests (mix.ts) while the simulator injects about
 * `faultRate` of retryable faults (5xx, connection resets, 429) on every operation, rotating
 * the kind every few seconds. Returns the figures; `checkTargets` says which targets failed,
 * `checkBehaviour` only those that do not depend on the machine's speed or load.
 *
 * Two ways to size the load: `seconds` at a pace of `rps` (what `npm run soak` does), or a
 * fixed number of `requests` sent as fast as `concurrency` allows, the fault kind rotating
 * every so many requests (what the short soak of `npm test` does: it ends as soon as the
 * machine has served them, and the fault kinds do not depend on how fast that is).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createSimulator, type Simulator } from '../../src/simulator/index';
import type { ChildMessage, ChildSample, ParentMessage } from './gateway-child';
import { createMix } from './mix';

/** Options of `runSoak`; every field optional. */
export interface SoakOptions {
  /** Length of the load, warm-up included; ignored when `requests` is set. @default 300 */
  readonly seconds?: number;
  /** Sends exactly this many requests, each as soon as fewer than `concurrency` are in flight, instead of a paced load for `seconds`. */
  readonly requests?: number;
  /** With `requests`: requests before the figures that compare against a baseline start. @default a fifth */
  readonly warmupRequests?: number;
  /** With `requests`: requests each fault kind lasts before the next takes over. @default an eighth */
  readonly faultPhaseRequests?: number;
  /** Load before the figures that compare against a baseline (RSS growth, event-loop delay) start. @default min(60, seconds / 5) */
  readonly warmupSeconds?: number;
  /** Requests started per second. @default 100 */
  readonly rps?: number;
  /** Most requests in flight; a request due while this many are in flight waits. @default 64 */
  readonly concurrency?: number;
  /** Share of upstream attempts given a retryable fault. @default 0.1 */
  readonly faultRate?: number;
  /** Seconds each fault kind lasts before the next takes over. @default 5 */
  readonly faultPhaseSeconds?: number;
  /** Records in the simulator's data set. @default 40000 */
  readonly records?: number;
  /** Extra gateway settings (environment names). */
  readonly env?: Record<string, string>;
  /** Called with a line of progress now and then. */
  readonly onProgress?: (line: string) => void;
}

/** Figures of one soak. */
export interface SoakReport {
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly requests: number;
  readonly achievedRps: number;
  /** Requests that had to wait for a free slot (the gateway fell behind the pace). */
  readonly delayedStarts: number;
  readonly byKind: Readonly<Record<string, number>>;
  /** Well-formed queries: answered whole, or with these error codes. */
  readonly good: { readonly total: number; readonly succeeded: number; readonly successRate: number; readonly failuresByCode: Readonly<Record<string, number>>; readonly failuresByKind: Readonly<Record<string, number>>; readonly failureSamples: readonly string[] };
  /** Bad queries: refused with their expected code, or not. */
  readonly bad: { readonly total: number; readonly expected: number; readonly unexpected: readonly string[] };
  /** Answers that were HTTP 5xx, not JSON, or without data and errors; and requests that got no answer. */
  readonly malformed: number;
  readonly transportErrors: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly upstream: { readonly attempts: number; readonly retries: number; readonly faulted: number; readonly faultShare: number; readonly byOutcome: Readonly<Record<string, number>> };
  /** `afterWarmup` and `end`: medians of the first and last quarter of the per-second samples after warm-up; `peak`: the highest sample. */
  readonly rssMiB: { readonly start: number; readonly afterWarmup: number; readonly end: number; readonly peak: number; readonly growthPct: number };
  /** Heap retained after a full GC at the end of warm-up and after the load (a leak shows here first). */
  readonly heapUsedMiB: { readonly afterWarmup: number; readonly end: number; readonly growthPct: number };
  /** The gateway's RSS once a second, in MiB, from the start. */
  readonly rssSeriesMiB: readonly number[];
  /** The economy's response cache at the end (bounded by CACHE_MAX_BYTES, 32 MiB by default). */
  readonly cacheMiB: { readonly afterWarmup: number; readonly end: number; readonly entries: number };
  /** Event-loop delay of the gateway after warm-up, in ms. */
  readonly lagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly gatewayCpuPct: number;
  /** Open handles in the gateway process: before the load, after it (idle), and after closing the gateway. */
  readonly handles: { readonly before: number; readonly after: number; readonly afterClose: number; readonly typesAfter: Readonly<Record<string, number>>; readonly typesAfterClose: Readonly<Record<string, number>> };
  /** Whether the gateway process exited by itself once closed (nothing left holding it open). */
  readonly exitedByItself: boolean;
}

/** The targets of issue 7. */
export const TARGETS = { successRate: 0.99, rssGrowthPct: 10, lagP99Ms: 50 } as const;

const MiB = 1024 * 1024;
const CHILD = join(__dirname, 'gateway-child.ts');

/** Lists the targets a report misses (empty when it meets them all): the behaviour, and the figures that depend on the machine. */
export function checkTargets(report: SoakReport): string[] {
  const missed: string[] = [];
  if (report.rssMiB.growthPct >= TARGETS.rssGrowthPct) missed.push(`RSS grew ${report.rssMiB.growthPct.toFixed(1)} % after warm-up (target < ${TARGETS.rssGrowthPct} %)`);
  if (report.heapUsedMiB.growthPct >= TARGETS.rssGrowthPct) missed.push(`the heap retained after a full GC grew ${report.heapUsedMiB.growthPct.toFixed(1)} % after warm-up (a leak; target < ${TARGETS.rssGrowthPct} %)`);
  if (report.lagMs.p99 >= TARGETS.lagP99Ms) missed.push(`event-loop delay p99 ${report.lagMs.p99.toFixed(1)} ms (target < ${TARGETS.lagP99Ms} ms)`);
  return [...checkBehaviour(report), ...missed];
}

/**
 * Lists what a report shows going wrong whatever the machine's speed or load (empty when
 * nothing did): well-formed queries whose faults the retries did not absorb, malformed
 * answers, requests without an answer, bad queries refused with another code, handles left.
 */
export function checkBehaviour(report: SoakReport): string[] {
  const missed: string[] = [];
  if (report.good.successRate < TARGETS.successRate) missed.push(`success rate ${pct(report.good.successRate)} < ${pct(TARGETS.successRate)}`);
  if (report.malformed > 0) missed.push(`${report.malformed} malformed answers`);
  if (report.transportErrors > 0) missed.push(`${report.transportErrors} requests got no answer`);
  if (report.bad.unexpected.length > 0) missed.push(`${report.bad.unexpected.length} bad queries got an unexpected answer (${report.bad.unexpected.slice(0, 3).join('; ')})`);
  if (report.handles.after > report.handles.before) missed.push(`open handles grew from ${report.handles.before} to ${report.handles.after}`);
  if (!report.exitedByItself) missed.push('the gateway process did not exit by itself after closing');
  return missed;
}

/** Runs a soak and returns its figures. */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const seconds = options.seconds ?? 300;
  const warmupSeconds = options.warmupSeconds ?? Math.min(60, seconds / 5);
  const count = options.requests === undefined ? undefined : {
    requests: options.requests,
    warmup: options.warmupRequests ?? Math.floor(options.requests / 5),
    phase: Math.max(1, options.faultPhaseRequests ?? Math.ceil(options.requests / 8)),
  };
  const rps = options.rps ?? 100;
  const concurrency = options.concurrency ?? 64;
  const faultRate = options.faultRate ?? 0.1;
  const progress = options.onProgress ?? (() => undefined);
  // Rate limits lifted on both sides: the load is paced here, and 429s come from the injected faults.
  const simulator = await createSimulator({ port: 0, quiet: true, records: options.records ?? 40_000, rateLimits: { 'url-tasks': 0, detail: 0, historytasks: 0, refresh: 0, preheat: 0 } });
  const child = await startChild(simulator.url, options.env ?? {});
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  try {
    return await drive({ seconds, warmupSeconds, count, rps, concurrency, faultRate, faultPhaseMs: (options.faultPhaseSeconds ?? 5) * 1000, progress, simulator, child, agent });
  } finally {
    await agent.close().catch(() => undefined);
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await simulator.close();
  }
}

// ── The gateway child ─────────────────────────────────────────────────────────────────────

interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  readonly startSample: ChildSample;
  /** Sends a message and waits for the answer of `type`. */
  ask(message: ParentMessage, type: 'sample' | 'closed'): Promise<ChildSample>;
  /** Resolves with whether the process exited by itself within `ms`. */
  exitWithin(ms: number): Promise<boolean>;
}

// Forks the gateway child against the simulator and waits for it to be ready.
async function startChild(simulatorUrl: string, env: Record<string, string>): Promise<Child> {
  const child = fork(CHILD, [], {
    // --expose-gc only makes gc() callable: the soak calls it twice, at the end of warm-up and after the load, to compare retained memory.
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      CDN_ENDPOINT: simulatorUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
      CURSOR_SECRET: 'soak-cursor-secret-0123456789abcdef',
      RATE_LIMIT_URL_TASKS: '0',
      RATE_LIMIT_DETAIL: '0',
      RATE_LIMIT_HISTORYTASKS: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiters = new Map<string, Array<(sample: ChildSample) => void>>();
  const ready = new Promise<{ url: string; sample: ChildSample }>((resolve, reject) => {
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') resolve({ url: message.url, sample: message.sample });
      else if (message.type === 'failed') reject(new Error(`the gateway child failed to start: ${message.message}`));
      else waiters.get(message.type)?.shift()?.(message.sample);
    });
    child.once('exit', (code) => reject(new Error(`the gateway child exited (${code}) before it was ready`)));
  });
  const { url, sample } = await ready;
  return {
    process: child,
    url,
    startSample: sample,
    ask(message, type) {
      return new Promise((resolve) => {
        waiters.set(type, [...(waiters.get(type) ?? []), resolve]);
        child.send(message);
      });
    },
    async exitWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
      const result = await Promise.race([exited.then(() => true), timeout]);
      clearTimeout(timer);
      return result;
    },
  };
}

// ── The load ──────────────────────────────────────────────────────────────────────────────

interface DriveContext {
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Set for a fixed number of requests: how many, after how many the warm-up ends, and how many each fault kind lasts. */
  readonly count: { readonly requests: number; readonly warmup: number; readonly phase: number } | undefined;
  readonly rps: number;
  readonly concurrency: number;
  readonly faultRate: number;
  readonly faultPhaseMs: number;
  readonly progress: (line: string) => void;
  readonly simulator: Simulator;
  readonly child: Child;
  readonly agent: Agent;
}

// The retryable fault kinds, rotated: 5xx of three kinds and 429, each with connection resets.
const ERROR_STATUSES = [503, 429, 500, 502];

// Runs the load, samples the child, and assembles the report.
async function drive(ctx: DriveContext): Promise<SoakReport> {
  const { child, simulator } = ctx;
  const mix = createMix(seededRandom(7));
  const setFaults = async (phase: number): Promise<void> => {
    // P(reset) + P(no reset) × P(error) = faultRate, with resets about a third of the faults.
    const resetRate = ctx.faultRate * 0.3;
    const errorRate = (ctx.faultRate - resetRate) / (1 - resetRate);
    const body = { resetRate, errorRate, errorStatus: ERROR_STATUSES[phase % ERROR_STATUSES.length] };
    await fetch(`${simulator.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  };

  const latencies: number[] = [];
  const byKind: Record<string, number> = {};
  const failuresByCode: Record<string, number> = {};
  const failuresByKind: Record<string, number> = {};
  // The first few distinct failure messages, so a miss says why, not only which code.
  const failureSamples: string[] = [];
  const unexpected: string[] = [];
  let good = 0;
  let succeeded = 0;
  let bad = 0;
  let badExpected = 0;
  let malformed = 0;
  let transportErrors = 0;
  let inFlight = 0;
  let started = 0;
  let delayedStarts = 0;

  const one = async (): Promise<void> => {
    const req = mix.next();
    byKind[req.kind] = (byKind[req.kind] ?? 0) + 1;
    const t0 = performance.now();
    let status: number;
    let text: string;
    try {
      const res = await request(child.url, {
        method: 'POST',
        dispatcher: ctx.agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: req.query, variables: req.variables }),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch {
      transportErrors++;
      return;
    }
    const body = parse(text);
    if (status >= 500 || !body || (body.data === undefined && body.errors === undefined)) {
      malformed++;
      return;
    }
    const codes = (body.errors ?? []).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'NO_CODE'));
    if (req.expectedCode !== undefined) {
      bad++;
      if (codes.length > 0 && codes.every((c) => c === req.expectedCode)) badExpected++;
      else unexpected.push(`${req.query.slice(0, 40)} → ${status} ${codes.join(',') || 'no error'}`);
      return;
    }
    good++;
    latencies.push(performance.now() - t0);
    if (codes.length === 0 && body.data) {
      succeeded++;
      mix.memory.learn(req.kind, req.filterKey, body.data);
    } else {
      for (const code of new Set(codes)) failuresByCode[code] = (failuresByCode[code] ?? 0) + 1;
      failuresByKind[req.kind] = (failuresByKind[req.kind] ?? 0) + 1;
      const message = `${req.kind}: ${String(body.errors?.[0]?.message ?? 'no data')}`.slice(0, 700);
      if (failureSamples.length < 5 && !failureSamples.includes(message)) failureSamples.push(message);
    }
  };

  let afterWarmup: ChildSample | undefined;
  let warmupSeconds = ctx.warmupSeconds;
  const rssSeries: number[] = [];
  let peak = child.startSample.rssBytes;
  const t0 = Date.now();
  const end = t0 + ctx.seconds * 1000;
  const warmupEnd = t0 + ctx.warmupSeconds * 1000;
  const { count } = ctx;
  let phase = 0;
  await setFaults(phase);
  // A paced load rotates the fault kind by time, a fixed number of requests by how many were started.
  let nextPhaseAt = count ? count.phase : t0 + ctx.faultPhaseMs;
  let nextSampleAt = t0 + 1000;
  let lastProgress = t0;
  const pending = new Set<Promise<void>>();

  while (count ? started < count.requests : Date.now() < end) {
    const now = Date.now();
    // A fixed number of requests starts up to the next fault-kind change, so that each kind covers the same requests.
    const due = count ? Math.min(count.requests, nextPhaseAt) : Math.floor(((now - t0) / 1000) * ctx.rps);
    while (started < due) {
      if (inFlight >= ctx.concurrency) {
        if (!count) {
          delayedStarts += due - started;
          started = due;
        }
        break;
      }
      started++;
      inFlight++;
      const p = one().finally(() => {
        inFlight--;
        pending.delete(p);
      });
      pending.add(p);
    }
    if (count ? started >= nextPhaseAt && started < count.requests : now >= nextPhaseAt) {
      phase++;
      nextPhaseAt += count ? count.phase : ctx.faultPhaseMs;
      await setFaults(phase);
    }
    const warmedUp = count ? started >= count.warmup : now >= warmupEnd;
    if (!afterWarmup && warmedUp && count) {
      // By count, the warm-up ends at its request, not at the next whole second.
      warmupSeconds = round((now - t0) / 1000, 1);
      afterWarmup = await child.ask({ type: 'sample', collect: true }, 'sample');
      child.process.send({ type: 'reset-lag' } satisfies ParentMessage);
    }
    if (now >= nextSampleAt) {
      nextSampleAt += 1000;
      const s = await child.ask({ type: 'sample' }, 'sample');
      peak = Math.max(peak, s.rssBytes);
      if (!afterWarmup && warmedUp) {
        afterWarmup = await child.ask({ type: 'sample', collect: true }, 'sample');
        child.process.send({ type: 'reset-lag' } satisfies ParentMessage);
      }
      rssSeries.push(round(s.rssBytes / MiB, 1));
    }
    if (now - lastProgress >= 10_000) {
      lastProgress = now;
      ctx.progress(`${Math.round((now - t0) / 1000)} s: ${good + bad} answered, ${succeeded}/${good} good ones whole, RSS ${(peak / MiB).toFixed(0)} MiB peak, ${inFlight} in flight`);
    }
    // A fixed number of requests goes on as soon as one finishes; a paced load looks again shortly.
    if (count && inFlight >= ctx.concurrency) await Promise.race(pending);
    else if (!count) await sleep(5);
  }
  const elapsed = (Date.now() - t0) / 1000;
  await Promise.all(pending);
  const endSample = await child.ask({ type: 'sample' }, 'sample');
  const retained = await child.ask({ type: 'sample', collect: true }, 'sample');
  await fetch(`${simulator.url}/__sim/faults`, { method: 'DELETE' });

  // Idle: the load's connections close, then keep-alive sockets to the upstream time out (undici: 4 s).
  await ctx.agent.close();
  let idle = await child.ask({ type: 'sample' }, 'sample');
  // Polled with a generous deadline: a busy machine only makes this take longer.
  const idleDeadline = Date.now() + 30_000;
  while (idle.handles > child.startSample.handles && Date.now() < idleDeadline) {
    await sleep(100);
    idle = await child.ask({ type: 'sample' }, 'sample');
  }
  const closed = await child.ask({ type: 'close' }, 'closed');
  const exitedByItself = await child.exitWithin(15_000);

  // RSS saws with every collection and a forced GC itself inflates it for a moment: compare the medians of the first and
  // last quarter of the per-second samples after warm-up. The heap is compared after full GCs (what is retained).
  const base = afterWarmup ?? child.startSample;
  const measured = rssSeries.slice(Math.min(rssSeries.length - 1, Math.round(warmupSeconds)));
  const quarter = Math.max(1, Math.floor(measured.length / 4));
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const rssBase = median(measured.slice(0, quarter)) * MiB || base.rssBytes;
  const rssEnd = median(measured.slice(-quarter)) * MiB || endSample.rssBytes;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const faulted = Object.entries(endSample.upstream.byOutcome).reduce((a, [k, v]) => (k === 'ok' ? a : a + v), 0);
  return {
    seconds: round(elapsed, 1),
    warmupSeconds,
    requests: good + bad + malformed + transportErrors,
    achievedRps: round((good + bad + malformed + transportErrors) / elapsed, 1),
    delayedStarts,
    byKind,
    good: { total: good, succeeded, successRate: good === 0 ? 0 : succeeded / good, failuresByCode, failuresByKind, failureSamples },
    bad: { total: bad, expected: badExpected, unexpected },
    malformed,
    transportErrors,
    latencyMs: { p50: round(at(0.5), 1), p99: round(at(0.99), 1), max: round(sorted[sorted.length - 1] ?? 0, 1) },
    upstream: { attempts: endSample.upstream.attempts, retries: endSample.upstream.retries, faulted, faultShare: endSample.upstream.attempts === 0 ? 0 : faulted / endSample.upstream.attempts, byOutcome: endSample.upstream.byOutcome },
    rssMiB: {
      start: round(child.startSample.rssBytes / MiB, 1),
      afterWarmup: round(rssBase / MiB, 1),
      end: round(rssEnd / MiB, 1),
      peak: round(peak / MiB, 1),
      growthPct: round(((rssEnd - rssBase) / rssBase) * 100, 1),
    },
    heapUsedMiB: {
      afterWarmup: round(base.heapUsedBytes / MiB, 1),
      end: round(retained.heapUsedBytes / MiB, 1),
      growthPct: round(((retained.heapUsedBytes - base.heapUsedBytes) / base.heapUsedBytes) * 100, 1),
    },
    rssSeriesMiB: rssSeries,
    cacheMiB: { afterWarmup: round(base.cache.bytes / MiB, 1), end: round(endSample.cache.bytes / MiB, 1), entries: endSample.cache.entries },
    lagMs: { p50: round(endSample.lagP50Ms, 1), p99: round(endSample.lagP99Ms, 1), max: round(endSample.lagMaxMs, 1) },
    gatewayCpuPct: round(((endSample.cpuMs - child.startSample.cpuMs) / (elapsed * 1000)) * 100, 1),
    handles: { before: child.startSample.handles, after: idle.handles, afterClose: closed.handles, typesAfter: idle.handleTypes, typesAfterClose: closed.handleTypes },
    exitedByItself,
  };
}

/** Formats a report as the lines `npm run soak` prints. */
export function formatReport(r: SoakReport): string {
  const codes = Object.entries(r.good.failuresByCode).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
  const kinds = Object.entries(r.good.failuresByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `Soak: ${r.seconds} s (warm-up ${r.warmupSeconds} s), ${r.requests} requests, ${r.achievedRps} req/s, ${r.delayedStarts} delayed starts`,
    `  mix: ${Object.entries(r.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  upstream: ${r.upstream.attempts} attempts, ${r.upstream.faulted} faulted (${pct(r.upstream.faultShare)}), ${r.upstream.retries} retries`,
    `  success rate of well-formed queries: ${pct(r.good.successRate)} (${r.good.succeeded}/${r.good.total}; failures: ${codes}${kinds ? `; by kind: ${kinds}` : ''})`,
    ...r.good.failureSamples.map((m) => `    failed: ${m}`),
    `  bad queries refused with their code: ${r.bad.expected}/${r.bad.total}; malformed answers: ${r.malformed}; no answer: ${r.transportErrors}`,
    `  latency of well-formed queries: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    `  gateway RSS: ${r.rssMiB.start} MiB at start, ${r.rssMiB.afterWarmup} MiB after warm-up, ${r.rssMiB.end} MiB at the end (${signed(r.rssMiB.growthPct)} %), peak ${r.rssMiB.peak} MiB; heap retained after full GCs ${r.heapUsedMiB.afterWarmup} → ${r.heapUsedMiB.end} MiB (${signed(r.heapUsedMiB.growthPct)} %); response cache ${r.cacheMiB.afterWarmup} → ${r.cacheMiB.end} MiB (${r.cacheMiB.entries} entries)`,
    `  gateway event-loop delay after warm-up: p50 ${r.lagMs.p50} ms, p99 ${r.lagMs.p99} ms, max ${r.lagMs.max} ms; CPU ${r.gatewayCpuPct} % of one core`,
    `  gateway open handles: ${r.handles.before} before the load, ${r.handles.after} after it (${describeTypes(r.handles.typesAfter)}), ${r.handles.afterClose} after closing (${describeTypes(r.handles.typesAfterClose)}); exited by itself: ${r.exitedByItself ? 'yes' : 'no'}`,
  ].join('\n');
}

// ── Helpers ───────────────────────────────────────────────────────────────────────────────

// Parses a GraphQL answer body; undefined when it is not a JSON object.
function parse(text: string): { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> } | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> }) : undefined;
  } catch {
    return undefined;
  }
}

// A small seeded generator (mulberry32), so that a soak's mix repeats.
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Waits `ms` milliseconds.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Rounds to `digits` decimals.
function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// Formats a share as a percentage with two decimals.
function pct(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

// Formats a number with its sign.
function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value}`;
}

// Lists handle types and counts.
function describeTypes(types: Readonly<Record<string, number>>): string {
  return Object.entries(types).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
}
