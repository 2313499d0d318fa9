/**
 * `npm run bench [-- --json FILE]`: the gateway against its baselines, in one run.
 *
 * Starts four server processes: the simulator (rate limits and faults off, clock frozen), the
 * gateway (compiled `dist/src/main.js` as `npm start` and the image run it, response cache off, limiter off), the undici
 * pass-through (B2) and a plain Apollo Server (B3). Checks that the gateway and the baselines
 * answer the same data, warms every phase up, then measures each phase with autocannon,
 * baselines alternating with scenarios, and finally S1 and B2 at a fixed rate of half B2's
 * throughput. The load generator is this process; it shares the machine with the servers.
 *
 * Settings (environment): BENCH_DURATION_S (10) seconds per phase, BENCH_WARMUP_S (3) per
 * phase before the rounds, BENCH_CONNECTIONS (10), BENCH_ROUNDS (1), BENCH_PHASES (all; a
 * comma-separated subset such as `B2,S1`), BENCH_FIXED_RATE (half of B2's throughput) for the
 * latency runs, BENCH_LOG_LEVEL (info) for the gateway, and
 * BENCH_GATEWAY_ENV: extra gateway settings as JSON (e.g. `{"UPSTREAM_CONNECTIONS":"32"}`), and
 * BENCH_GATEWAY_NODE_ARGS: Node options for the gateway (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), and
 * BENCH_GATEWAY_SCRIPT: its entry point, `dist/src/main.js` (compiled first when stale, as `npm start` runs it) or
 * `src/main.ts` (through tsx, as `npm run dev` runs it).
 *
 * C1, the cached path (issue 16, bench/lib/cached-phase.ts), runs S1's first page from BENCH_CACHED_CONNECTIONS (50)
 * connections against one more gateway, whose response cache is at its default.
 *
 * BENCH_VARIANTS compares gateway settings in the same run (the fair way to judge a lever on a
 * shared machine): a JSON object of name → extra settings, e.g. `{"conn64":{"UPSTREAM_CONNECTIONS":"64"}}`.
 * The key NODE_ARGS holds Node options for that variant instead of BENCH_GATEWAY_NODE_ARGS (e.g.
 * `--max-semi-space-size=4`), SCRIPT another entry point (a `.js` one runs without tsx, e.g. a
 * compiled `dist/src/main.js`). Each variant is one more gateway process; each selected S phase runs against it right after
 * the main gateway (`S1`, then `S1[conn64]`).
 *
 * Tracing's cost (issue 18): a variant setting whose value is `$OTLP_SINK` gets the origin of an OTLP sink the
 * bench starts as one more process (bench/lib/otlp-sink.ts: it takes OTLP/HTTP JSON exports, counts their spans
 * and discards them), and such a variant exports as `gateway[name]` unless it sets OTEL_SERVICE_NAME, e.g.
 * `{"trace100":{"OTEL_EXPORTER_OTLP_ENDPOINT":"$OTLP_SINK"},"trace1":{"OTEL_EXPORTER_OTLP_ENDPOINT":"$OTLP_SINK",
 * "OTEL_TRACES_SAMPLER":"parentbased_traceidratio","OTEL_TRACES_SAMPLER_ARG":"0.01"}}`; the spans it received are
 * reported under the tables.
 *
 * F1, the fairness phase (issue 13), runs last, after the load phases' servers are stopped, against servers of its own: a
 * simulator enforcing Huawei's rate limits and a gateway (one per variant too) with two API-key callers and its rate
 * limiter at the defaults. A victim caller looks up BENCH_FAIR_LOOKUPS (32) uncached tasks one at a time, at most one
 * every BENCH_FAIR_INTERVAL_MS (100), alone and then while an attacker runs BENCH_FAIR_ATTACKERS (4) loops each of
 * `nodes(ids:)` and `_entities` with 100 uncached lookups, abandoning every request after BENCH_FAIR_ABORT_MS (300). The
 * victim gives a request up after BENCH_FAIR_TIMEOUT_MS (5000).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { OPERATIONS } from '../src/cdn/operations';
import { formatFairnessReport, summarizeFairness, summarizeVictim, type FairnessRun, type FairnessSetup, type FairnessSummary } from './lib/fairness';
import { ATTACKER_KEY, VICTIM_KEY, runFairness, type Sequences } from './lib/fairness-run';
import { CACHED_GATEWAY, CACHED_PHASE, cachedConnections, cachedGatewaySettings, cachedPhase } from './lib/cached-phase';
import { computeRatios, evaluateTargets, formatReport, summarize, type PhaseRun, type PhaseSummary } from './lib/figures';
import { runLoad } from './lib/load';
import { readProcess, sampleRss } from './lib/proc';
import { definePhases, planBenchData, variantOf, type BenchData, type Phase, type ServerName } from './lib/scenarios';
import { ROOT, startServer, type ServerProcess } from './lib/servers';
import type { SinkStats } from './lib/otlp-sink';
import { formatSinkReport, resolveSinkVariants, usesSink } from './lib/tracing-variants';

/** Phases in measuring order: each scenario next to a baseline, so drift on a shared machine hits both. */
export const PHASE_ORDER = ['B1', 'S1', 'B2', 'C1', 'S2', 'B3', 'S3', 'B3/S2', 'S4'] as const;

/** The fairness phase (issue 13), run after the load phases against servers of its own. */
export const FAIRNESS_PHASE = 'F1';

/** Every phase BENCH_PHASES may name. */
const ALL_PHASES: readonly string[] = [...PHASE_ORDER, FAIRNESS_PHASE];

/** Settings of one bench run. */
interface BenchOptions {
  readonly jsonFile?: string;
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly rounds: number;
  readonly phases: readonly string[];
  readonly logLevel: string;
  readonly gatewayEnv: Record<string, string>;
  readonly gatewayNodeArgs: readonly string[];
  /** The gateway's entry point: compiled JavaScript by default, as production runs it. */
  readonly gatewayScript: string;
  readonly variants: Readonly<Record<string, Record<string, string>>>;
  /** The fixed rate of the latency runs; half of B2's throughput when absent. */
  readonly fixedRate?: number;
  /** Fairness phase: victim lookups per part, least ms between their starts, attack loops of each kind, ms before the attacker abandons a request. */
  readonly fairLookups: number;
  readonly fairIntervalMs: number;
  readonly fairAttackers: number;
  readonly fairAbortMs: number;
  /** Fairness phase: ms before the victim gives a request up. */
  readonly fairTimeoutMs: number;
}

// Reads the options from the command line and the environment, refusing nonsense.
function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const jsonAt = argv.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  if (jsonAt >= 0 && !jsonFile) throw new Error('--json needs a file name');
  const num = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}; got ${JSON.stringify(raw)}`);
    return value;
  };
  const phases = env.BENCH_PHASES ? env.BENCH_PHASES.split(',').map((p) => p.trim()) : [...ALL_PHASES];
  const unknown = phases.filter((p) => !ALL_PHASES.includes(p));
  if (unknown.length > 0) throw new Error(`BENCH_PHASES: unknown phase ${unknown.join(', ')}; phases are ${ALL_PHASES.join(', ')}`);
  const gatewayEnv = env.BENCH_GATEWAY_ENV ? (JSON.parse(env.BENCH_GATEWAY_ENV) as Record<string, string>) : {};
  return {
    ...(jsonFile ? { jsonFile } : {}),
    durationS: num('BENCH_DURATION_S', 10, 1),
    warmupS: num('BENCH_WARMUP_S', 3, 0),
    connections: Math.round(num('BENCH_CONNECTIONS', 10, 1)),
    rounds: Math.round(num('BENCH_ROUNDS', 1, 1)),
    phases,
    // The gateway's own default: every request writes an access-log line, as in production.
    logLevel: env.BENCH_LOG_LEVEL ?? 'info',
    gatewayEnv,
    ...(env.BENCH_FIXED_RATE ? { fixedRate: num('BENCH_FIXED_RATE', 0, 1) } : {}),
    variants: env.BENCH_VARIANTS ? (JSON.parse(env.BENCH_VARIANTS) as Record<string, Record<string, string>>) : {},
    gatewayNodeArgs: env.BENCH_GATEWAY_NODE_ARGS ? env.BENCH_GATEWAY_NODE_ARGS.split(' ').filter(Boolean) : [],
    gatewayScript: env.BENCH_GATEWAY_SCRIPT ?? 'dist/src/main.js',
    fairLookups: Math.round(num('BENCH_FAIR_LOOKUPS', 32, 1)),
    fairIntervalMs: num('BENCH_FAIR_INTERVAL_MS', 100, 0),
    fairAttackers: Math.round(num('BENCH_FAIR_ATTACKERS', 4, 1)),
    fairAbortMs: num('BENCH_FAIR_ABORT_MS', 300, 10),
    fairTimeoutMs: num('BENCH_FAIR_TIMEOUT_MS', 5000, 100),
  };
}

// The gateway's settings: real signing against the simulator, response cache and limiter off.
function gatewaySettings(simOrigin: string, options: BenchOptions): Record<string, string> {
  return {
    NODE_ENV: 'production',
    CDN_ENDPOINT: simOrigin,
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel,
    CURSOR_SECRET: 'bench-cursor-secret-0123456789abcdef',
    CACHE_TTL_MS: '0',
    RATE_LIMIT_URL_TASKS: '0',
    RATE_LIMIT_DETAIL: '0',
    RATE_LIMIT_HISTORYTASKS: '0',
    RATE_LIMIT_REFRESH: '0',
    RATE_LIMIT_PREHEAT: '0',
    ...options.gatewayEnv,
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const given = readOptions(process.argv.slice(2), process.env);
  const data = planBenchData(Date.now());
  const machine = { nproc: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadavgAtStart: loadavg() };
  log(`bench: ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  log(`bench: ${given.durationS} s per phase, ${given.connections} connections, ${given.rounds} round(s), phases ${given.phases.join(' ')}`);

  if (given.gatewayScript.startsWith("dist/") || Object.values(given.variants).some((v) => v.SCRIPT?.startsWith("dist/"))) buildIfStale();

  const started: ServerProcess[] = [];
  // The OTLP sink serves every phase's gateways, so it is not among the servers a phase stops.
  const sink = usesSink(given.variants) ? await startServer({ name: 'otlp-sink', script: 'bench/lib/otlp-sink.ts', env: { NODE_ENV: 'production' } }) : undefined;
  const options: BenchOptions = sink ? { ...given, variants: resolveSinkVariants(given.variants, sink.origin) } : given;
  if (sink) log(`bench: OTLP sink at ${sink.origin} for ${Object.keys(options.variants).filter((name) => Object.values(options.variants[name] ?? {}).includes(sink.origin)).join(', ')}`);
  const stopAll = () => Promise.all([...started, ...(sink ? [sink] : [])].map((s) => s.stop()));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const load = options.phases.some((p) => p !== FAIRNESS_PHASE) ? await measureLoadPhases(options, data, started) : undefined;
    const fairness = options.phases.includes(FAIRNESS_PHASE) ? await measureFairness(options, data, started) : undefined;

    const sunk = sink ? await sinkStats(sink.origin) : undefined;
    const reports = [
      ...(load ? [formatReport(load.summaries)] : []),
      ...(fairness ? [formatFairnessReport(fairness.summaries, fairnessSetup(options))] : []),
      ...(sunk ? [formatSinkReport(sunk)] : []),
    ];
    process.stdout.write(`\n${reports.join('\n\n')}\n`);
    const loadavgAtEnd = loadavg();
    process.stdout.write(
      `\nMachine: ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}; load average ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')} at start, ` +
        `${loadavgAtEnd.map((l) => l.toFixed(2)).join(' ')} at end. The load generator shares the machine with the servers.\n`,
    );
    if (options.jsonFile) {
      const json = {
        machine: { ...machine, loadavgAtEnd },
        options,
        data: { simNow: data.simNow, after: data.after, before: data.before },
        ...(load ? { runs: load.runs, summaries: load.summaries, ratios: computeRatios(load.summaries), targets: evaluateTargets(load.summaries) } : {}),
        ...(fairness ? { fairness: { setup: fairnessSetup(options), runs: fairness.runs, summaries: fairness.summaries } } : {}),
        ...(sunk ? { otlpSink: sunk } : {}),
      };
      writeFileSync(options.jsonFile, `${JSON.stringify(json, null, 2)}\n`);
      log(`bench: figures written to ${options.jsonFile}`);
    }
  } finally {
    await stopAll();
  }
}

// Starts the simulator, the gateway (and its variants) and the baselines, checks their answers, and measures the selected load phases.
async function measureLoadPhases(options: BenchOptions, data: BenchData, started: ServerProcess[]): Promise<{ runs: PhaseRun[]; summaries: PhaseSummary[] }> {
  const phases = definePhases(data);
  phases[CACHED_PHASE] = cachedPhase(phases.S1 as Phase, cachedConnections(process.env));
  const simulator = await startServer({ name: 'simulator', script: 'bench/lib/simulator-process.ts', env: { NODE_ENV: 'production', BENCH_SIM_NOW: String(data.simNow) } });
  started.push(simulator);
  for (const insert of data.inserts) await simControl(simulator.origin, 'POST', '/__sim/url-tasks', insert);
  log(`bench: inserted ${data.inserts.length} tasks over ${data.windows} hours`);
  const upstream = { NODE_ENV: 'production', CDN_ENDPOINT: simulator.origin };
  const [gateway, passthrough, plainApollo] = await Promise.all([
    startServer({ name: 'gateway', script: options.gatewayScript, env: gatewaySettings(simulator.origin, options), nodeArgs: gatewayNodeArgs(options) }),
    startServer({ name: 'passthrough', script: 'bench/baselines/passthrough.ts', env: upstream }),
    startServer({ name: 'plain-apollo', script: 'bench/baselines/plain-apollo.ts', env: upstream }),
  ]);
  started.push(gateway, passthrough, plainApollo);
  const servers: Servers = new Map<ServerName, ServerProcess>([
    ['simulator', simulator],
    ['gateway', gateway],
    ['passthrough', passthrough],
    ['plain-apollo', plainApollo],
  ]);
  if (options.phases.includes(CACHED_PHASE)) {
    const cached = await startServer({ name: CACHED_GATEWAY, script: options.gatewayScript, env: cachedGatewaySettings(gatewaySettings(simulator.origin, options)), nodeArgs: gatewayNodeArgs(options) });
    started.push(cached);
    servers.set(CACHED_GATEWAY, cached);
  }
  for (const [name, variant] of Object.entries(options.variants)) {
    const server = await startVariant(name, variant, gatewaySettings(simulator.origin, options), options);
    started.push(server);
    servers.set(`gateway[${name}]`, server);
  }

  await checkAnswers(phases, servers, options.phases);
  log('bench: answers checked (gateway, pass-through and plain Apollo return the same data)');

  // Each scenario with its variants; a round rotates the group so that no variant always runs first.
  const groups = PHASE_ORDER.filter((id) => options.phases.includes(id)).map((id) => {
    const phase = phases[id] as Phase;
    return phase.server === 'gateway' ? [phase, ...Object.keys(options.variants).map((name) => variantOf(phase, name))] : [phase];
  });
  const inRound = (round: number) => groups.flatMap((g) => rotate(g, round));
  const selected = inRound(1);
  for (const phase of selected) phases[phase.id] = phase;
  if (options.warmupS > 0) {
    for (const phase of selected) await runLoad({ origin: serverOf(servers, phase).origin, connections: options.connections, durationS: options.warmupS, request: phase.request, verify: phase.verify });
    log(`bench: warmed up (${options.warmupS} s per phase)`);
  }

  const runs: PhaseRun[] = [];
  const measure = async (phase: Phase, round: number, rate?: number) => {
    const run = await measurePhase(phase, servers, { connections: options.connections, durationS: options.durationS, round, ...(rate ? { rate } : {}) });
    runs.push(run);
    log(
      `  ${phase.id.padEnd(6)}${rate ? ` @${Math.round(rate)}/s` : ''} round ${round}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ` +
        `${run.cpuMsPerRequest.toFixed(3)} CPU ms/req, ${run.upstreamCallsPerRequest.toFixed(2)} upstream/req, errors ${run.errors + run.non2xx + run.mismatches}`,
    );
  };
  for (let round = 1; round <= options.rounds; round++) {
    for (const phase of inRound(round)) await measure(phase, round);
  }
  const b2 = summarize(runs, describeWith(phases)).find((s) => s.id === 'B2' && s.mode === 'max');
  const rate = options.fixedRate ?? (b2 ? Math.max(1, Math.round(b2.rps * 0.5)) : undefined);
  if (rate !== undefined && options.phases.includes('S1')) {
    for (let round = 1; round <= options.rounds; round++) {
      const s1 = ['S1', ...Object.keys(options.variants).map((name) => `S1[${name}]`)];
      for (const id of [...(b2 ? ['B2'] : []), ...rotate(s1, round)]) await measure(phases[id] as Phase, round, rate);
    }
  }
  // The load phases' servers are done: stop them so that they do not share the machine with the fairness phase.
  await Promise.all(started.splice(0).map((s) => s.stop()));
  return { runs, summaries: summarize(runs, describeWith(phases)) };
}

// The fairness phase's settings, as the report states them.
function fairnessSetup(options: BenchOptions): FairnessSetup {
  return { attackers: options.fairAttackers, abortMs: options.fairAbortMs, intervalMs: options.fairIntervalMs, timeoutMs: options.fairTimeoutMs };
}

// Starts a simulator enforcing Huawei's rate limits and, for the gateway and each variant, a gateway with two API-key callers and
// the limiter at its defaults; measures the victim alone and under attack against each, rotating the order each round.
async function measureFairness(options: BenchOptions, data: BenchData, started: ServerProcess[]): Promise<{ runs: FairnessRun[]; summaries: FairnessSummary[] }> {
  const simulator = await startServer({
    name: 'simulator-limited',
    script: 'bench/lib/simulator-process.ts',
    env: { NODE_ENV: 'production', BENCH_SIM_NOW: String(data.simNow), BENCH_SIM_RATE_LIMITS: 'huawei' },
  });
  started.push(simulator);
  const settings = fairnessGatewaySettings(simulator.origin, options);
  const gateways: Array<{ id: string; server: ServerProcess }> = [
    { id: FAIRNESS_PHASE, server: await startServer({ name: 'gateway-fair', script: options.gatewayScript, env: settings, nodeArgs: gatewayNodeArgs(options) }) },
  ];
  started.push(gateways[0]!.server);
  for (const [name, variant] of Object.entries(options.variants)) {
    const server = await startVariant(`fair-${name}`, variant, settings, options);
    started.push(server);
    gateways.push({ id: `${FAIRNESS_PHASE}[${name}]`, server });
  }
  log(`bench: fairness phase against ${gateways.map((g) => g.id).join(', ')} (simulator and gateway rate limits: url-tasks ${OPERATIONS['url-tasks'].rateLimit}/s, detail ${OPERATIONS.detail.rateLimit}/s)`);
  const seq: Sequences = { victim: 0, nodes: 0, entities: 0 };
  const runs: FairnessRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const { id, server } of rotate(gateways, round)) {
      const run = await runFairness(
        {
          id,
          round,
          origin: server.origin,
          simOrigin: simulator.origin,
          lookups: options.fairLookups,
          intervalMs: options.fairIntervalMs,
          timeoutMs: options.fairTimeoutMs,
          attackers: options.fairAttackers,
          abortMs: options.fairAbortMs,
          detailLimit: OPERATIONS.detail.rateLimit,
          gatewayPid: server.pid,
        },
        seq,
      );
      runs.push(run);
      const [alone, attacked, probes] = [summarizeVictim(run.alone.lookups), summarizeVictim(run.attacked.lookups), summarizeVictim(run.attacked.probes)];
      log(
        `  ${id.padEnd(6)} round ${round}: victim alone p50 ${alone.p50Ms.toFixed(1)} ms, p99 ${alone.p99Ms.toFixed(1)} ms, ok ${alone.successes}/${alone.lookups}; ` +
          `under attack p50 ${attacked.p50Ms.toFixed(1)} ms, p99 ${attacked.p99Ms.toFixed(1)} ms, ok ${attacked.successes}/${attacked.lookups}; ` +
          `probes under attack p50 ${probes.p50Ms.toFixed(1)} ms; attacker ${run.attack.requests} requests; ` +
          `gateway CPU ${((run.gatewayCpu.attackedMs / 1000 / run.attack.seconds) * 100).toFixed(0)} % of a core under attack`,
      );
    }
  }
  return { runs, summaries: summarizeFairness(runs) };
}

// The fairness gateway's settings: the bench's, with two API-key callers and the rate limiter at its defaults (what the phase is about).
function fairnessGatewaySettings(simOrigin: string, options: BenchOptions): Record<string, string> {
  const { RATE_LIMIT_URL_TASKS, RATE_LIMIT_DETAIL, RATE_LIMIT_HISTORYTASKS, RATE_LIMIT_REFRESH, RATE_LIMIT_PREHEAT, ...base } = gatewaySettings(simOrigin, { ...options, gatewayEnv: {} });
  return { ...base, AUTH_MODE: 'api-key', API_KEYS: `${ATTACKER_KEY},${VICTIM_KEY}`, ...options.gatewayEnv };
}

// Starts one more gateway with a variant's settings over the given ones.
function startVariant(name: string, { NODE_ARGS: nodeArgs, SCRIPT: script, ...env }: Record<string, string>, settings: Record<string, string>, options: BenchOptions): Promise<ServerProcess> {
  return startServer({
    name: `gateway-${name}`,
    script: script ?? options.gatewayScript,
    env: { ...settings, ...env },
    nodeArgs: nodeArgs ? nodeArgs.split(' ').filter(Boolean) : gatewayNodeArgs(options),
  });
}

// Compiles the gateway into dist/ when a source is newer than the build, as `npm start` does.
function buildIfStale(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`bench: the build failed (scripts/build.mjs exited ${build.status})`);
}

// The Node options of the main gateway: source maps for compiled JavaScript (as `npm start` runs it), then BENCH_GATEWAY_NODE_ARGS.
function gatewayNodeArgs(options: BenchOptions): string[] {
  return [...(options.gatewayScript.endsWith('.js') ? ['--enable-source-maps'] : []), ...options.gatewayNodeArgs];
}

// A list started at its (round − 1)-th item, wrapping around: round after round, each item takes a turn first.
function rotate<T>(items: readonly T[], round: number): T[] {
  const k = (round - 1) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The running servers by name. */
type Servers = Map<ServerName, ServerProcess>;

// The server a phase targets.
function serverOf(servers: Servers, phase: Phase): ServerProcess {
  const server = servers.get(phase.server);
  if (!server) throw new Error(`${phase.id}: no server ${phase.server} was started`);
  return server;
}

// Titles and minimum upstream calls by phase id, for the summaries.
function describeWith(phases: Record<string, Phase>) {
  return (id: string) => ({ title: phases[id]?.title ?? id, minUpstreamCalls: phases[id]?.minUpstreamCalls ?? 0 });
}

// Runs one phase and measures the server process, the simulator and this process around it.
async function measurePhase(
  phase: Phase,
  servers: Servers,
  spec: { connections: number; durationS: number; round: number; rate?: number },
): Promise<PhaseRun> {
  const server = serverOf(servers, phase);
  const simulator = servers.get('simulator') as ServerProcess;
  const callsBefore = await quietUpstream(simulator.origin);
  const serverBefore = readProcess(server.pid);
  const simBefore = readProcess(simulator.pid);
  const loadgenBefore = process.cpuUsage();
  const rss = sampleRss([server.pid]);
  const figures = await runLoad({
    origin: server.origin,
    connections: phase.connections ?? spec.connections,
    durationS: spec.durationS,
    ...(spec.rate ? { overallRate: spec.rate } : {}),
    request: phase.request,
    verify: phase.verify,
  });
  const peakRss = rss.stop().get(server.pid) ?? 0;
  const loadgen = process.cpuUsage(loadgenBefore);
  // Requests cut off at the end still run to completion: wait for them, and count them (`sent`) with their CPU and calls.
  const calls = (await quietUpstream(simulator.origin)) - callsBefore;
  const serverAfter = readProcess(server.pid);
  const simAfter = readProcess(simulator.pid);
  const n = Math.max(1, figures.sent);
  return {
    ...figures,
    id: phase.id,
    round: spec.round,
    mode: spec.rate ? 'fixed' : 'max',
    ...(spec.rate ? { rate: spec.rate } : {}),
    cpuMsPerRequest: (serverAfter.cpuMs - serverBefore.cpuMs) / n,
    simCpuMsPerRequest: phase.server === 'simulator' ? 0 : (simAfter.cpuMs - simBefore.cpuMs) / n,
    loadgenCpuMsPerRequest: (loadgen.user + loadgen.system) / 1000 / n,
    peakRssMb: peakRss / (1024 * 1024),
    upstreamCallsPerRequest: calls / n,
  };
}

// Sends one request of each selected GraphQL phase and checks the answers, and that the gateway and the baselines agree.
async function checkAnswers(phases: Record<string, Phase>, servers: Servers, selected: readonly string[]): Promise<void> {
  const answers = new Map<string, unknown>();
  for (const id of PHASE_ORDER) {
    if (!selected.includes(id)) continue;
    const phase = phases[id] as Phase;
    const server = serverOf(servers, phase);
    const request = phase.request(0, new URL(server.origin).host);
    const res = await fetch(server.origin + request.path, { method: request.method, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) });
    const text = await res.text();
    if (res.status !== 200 || !phase.verify(text)) throw new Error(`${id}: unexpected answer from ${phase.server} (${res.status}): ${text.slice(0, 400)}`);
    answers.set(id, JSON.parse(text));
  }
  const same = (a: string, b: string) => {
    if (!answers.has(a) || !answers.has(b)) return;
    if (!isDeepStrictEqual(answers.get(a), answers.get(b))) {
      throw new Error(`${a} and ${b} answer different data; the comparison would be unfair.\n${a}: ${JSON.stringify(answers.get(a)).slice(0, 400)}\n${b}: ${JSON.stringify(answers.get(b)).slice(0, 400)}`);
    }
  };
  same('S1', 'B2');
  same('S1', CACHED_PHASE);
  same('S1', 'B3');
  same('S2', 'B3/S2');
}

// What the OTLP sink received, once the gateways' last scheduled exports (every 5 s by default) had time to arrive.
async function sinkStats(origin: string): Promise<SinkStats> {
  await new Promise((r) => setTimeout(r, 6000));
  return (await (await fetch(`${origin}/stats`)).json()) as SinkStats;
}

// Calls the simulator's control API.
async function simControl(origin: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(origin + path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`simulator ${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

// Waits until the simulator has counted no new call for 200 ms (at most 10 s), and returns the count.
async function quietUpstream(origin: string): Promise<number> {
  let last = await upstreamCalls(origin);
  for (let waited = 0; waited < 10_000; waited += 200) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await upstreamCalls(origin);
    if (now === last) return now;
    last = now;
  }
  return last;
}

// All API requests the simulator has counted so far.
async function upstreamCalls(origin: string): Promise<number> {
  const stats = (await simControl(origin, 'GET', '/__sim/stats')) as { requests: Record<string, number> };
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
