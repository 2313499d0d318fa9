/**
 * Reads `docker compose config` (YAML or JSON) on stdin and checks what a compose parser cannot:
 * every gateway replica's environment (`gateway`, and `gateway-*` of the `replicas` profile) passes
 * the gateway's own configuration schema, points at the simulator and Redis services and shares
 * the first replica's CURSOR_SECRET and REDIS_URL; every service has a healthcheck; gateways wait
 * for healthy dependencies; and the profile's proxy waits for every replica and its checked-in
 * nginx configuration names every replica. The optional Jaeger service sits behind the `tracing`
 * profile; the gateways' tracing is off by default and, with `--tracing` (the config rendered with
 * OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318), on and exporting to Jaeger's OTLP/HTTP port.
 * Exits 1 with every problem listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { parse as parseYaml } from 'yaml';

interface ComposeService {
  environment?: Record<string, string | null> | string[];
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  command?: string[] | string;
  profiles?: string[];
  volumes?: Array<string | { source?: string; target?: string }>;
}

// Reads all of stdin.
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// An environment block in either of compose's two shapes, as a record.
function envOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v ?? '']));
}

// The profile the optional trace store sits behind, and where the gateways export to it.
const TRACING_PROFILE = 'tracing';
const JAEGER_OTLP = { hostname: 'jaeger', port: '4318' };
// Profiles a service may sit behind: the trace store's, and the extra replicas with their proxy.
const OPTIONAL_PROFILES = new Set([TRACING_PROFILE, 'replicas']);

async function main(): Promise<void> {
  const tracing = process.argv.includes('--tracing');
  // YAML is a superset of JSON: this reads either form of `compose config`.
  const compose = parseYaml(await readStdin()) as { services?: Record<string, ComposeService> };
  const services = compose.services ?? {};
  const problems: string[] = [];
  const replicas = Object.keys(services).filter((name) => name === 'gateway' || /^gateway-/.test(name));
  for (const name of ['gateway', 'simulator', 'redis', 'jaeger', ...replicas.filter((r) => r !== 'gateway'), ...(services.proxy ? ['proxy'] : [])]) {
    const service = services[name];
    if (!service) problems.push(`service "${name}" is missing`);
    else if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`service "${name}" has no healthcheck`);
  }
  // `docker compose up` without a profile must start a working stack: only the trace store, the extra replicas and their proxy are optional.
  for (const [name, service] of Object.entries(services)) {
    const profiles = service.profiles ?? [];
    if (name === 'jaeger' && !profiles.includes(TRACING_PROFILE)) problems.push(`jaeger: must sit behind the "${TRACING_PROFILE}" profile (profiles: ["${TRACING_PROFILE}"]), so that the stack starts without it`);
    else if (['gateway', 'simulator', 'redis'].includes(name) && profiles.length > 0) problems.push(`${name}: must not sit behind a profile; the stack needs it`);
    else if (profiles.some((p) => !OPTIONAL_PROFILES.has(p))) problems.push(`${name}: unknown profile ${JSON.stringify(profiles)}; the profiles are ${[...OPTIONAL_PROFILES].join(', ')}`);
  }
  const first = services.gateway ? envOf(services.gateway) : {};
  for (const name of replicas) problems.push(...checkGateway(name, services[name] as ComposeService, first, tracing));
  problems.push(...checkProxy(services, replicas));
  const simulatorCommand = services.simulator?.command;
  if (!(Array.isArray(simulatorCommand) ? simulatorCommand.join(' ') : String(simulatorCommand ?? '')).includes('simulator')) {
    problems.push('simulator: command must run the simulator (npm run simulator)');
  }
  if (problems.length > 0) {
    process.stderr.write(`docker-compose.yml: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `docker-compose.yml: services ${Object.keys(services).sort().join(', ')}; gateway environment valid (${replicas.length} replica${replicas.length === 1 ? '' : 's'}), ` +
      `wired to simulator and redis, healthchecks present${services.proxy ? ', proxy lists every replica' : ''}; ` +
      (tracing ? 'with OTEL_EXPORTER_OTLP_ENDPOINT set, spans go to jaeger\n' : `tracing off by default, jaeger behind the "${TRACING_PROFILE}" profile\n`),
  );
}

// Checks one gateway replica: its configuration, its wiring, and that it signs and shares like the first replica.
function checkGateway(name: string, gateway: ComposeService, first: Record<string, string>, tracing: boolean): string[] {
  const problems: string[] = [];
  const env = envOf(gateway);
  try {
    const config = loadConfig(env, () => 'compose-check');
    if (config.upstream.mode !== 'remote' || new URL(config.upstream.endpoint).hostname !== 'simulator') {
      problems.push(`${name}: CDN_ENDPOINT must point at the simulator service (http://simulator:9100); got ${JSON.stringify(env.CDN_ENDPOINT ?? null)}`);
    }
    if (!config.redisUrl || new URL(config.redisUrl).hostname !== 'redis') problems.push(`${name}: REDIS_URL must point at the redis service (redis://redis:6379)`);
    if (config.host === '127.0.0.1') problems.push(`${name}: HOST must be 0.0.0.0 in a container, or nothing outside it can connect`);
    if (!tracing && config.tracing.enabled) {
      problems.push(`${name}: tracing must be off unless OTEL_EXPORTER_OTLP_ENDPOINT is given (the jaeger service only runs with --profile tracing); use \${OTEL_EXPORTER_OTLP_ENDPOINT:-}`);
    }
    if (tracing) {
      const url = config.tracing.enabled ? new URL(config.tracing.url) : undefined;
      if (!url || url.hostname !== JAEGER_OTLP.hostname || url.port !== JAEGER_OTLP.port) {
        problems.push(`${name}: with OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318, tracing must be on and export to the jaeger service's OTLP/HTTP port; got ${config.tracing.enabled ? config.tracing.url : `tracing off (${config.tracing.reason})`}`);
      }
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems.map((p) => `${name} environment: ${p}`));
  }
  // Replicas answer each other's cursors and share quota, cache and idempotency keys only with one secret and one Redis.
  for (const setting of ['CURSOR_SECRET', 'REDIS_URL']) {
    if (name !== 'gateway' && env[setting] !== first[setting]) problems.push(`${name}: ${setting} must equal the gateway service's (replicas share it)`);
  }
  const depends = gateway.depends_on ?? {};
  for (const dep of ['simulator', 'redis']) {
    const condition = Array.isArray(depends) ? undefined : depends[dep]?.condition;
    if (condition !== 'service_healthy') problems.push(`${name}: depends_on.${dep}.condition must be service_healthy; got ${JSON.stringify(condition ?? null)}`);
  }
  return problems;
}

// Checks the `replicas` profile's proxy: it waits for every replica, and its nginx configuration (checked in) names each one.
function checkProxy(services: Record<string, ComposeService>, replicas: readonly string[]): string[] {
  const profiled = Object.entries(services).filter(([, s]) => s.profiles?.includes('replicas'));
  if (profiled.length === 0) return [];
  const proxy = services.proxy;
  if (!proxy) return ['the replicas profile has no "proxy" service in front of its gateways'];
  const problems: string[] = [];
  if (!proxy.profiles?.includes('replicas')) problems.push('proxy: must be in the replicas profile');
  for (const [name] of profiled) {
    if (name !== 'proxy' && !replicas.includes(name)) problems.push(`${name}: only gateway replicas and the proxy belong to the replicas profile`);
  }
  const depends = proxy.depends_on ?? {};
  for (const replica of replicas) {
    const condition = Array.isArray(depends) ? undefined : depends[replica]?.condition;
    if (condition !== 'service_healthy') problems.push(`proxy: depends_on.${replica}.condition must be service_healthy; got ${JSON.stringify(condition ?? null)}`);
  }
  const mount = (proxy.volumes ?? [])
    .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
    .find((v) => v.target === '/etc/nginx/conf.d/default.conf');
  const source = mount?.source === undefined ? undefined : resolve(mount.source);
  if (!source || !existsSync(source)) return [...problems, `proxy: must mount a checked-in nginx configuration at /etc/nginx/conf.d/default.conf; got ${JSON.stringify(mount?.source ?? null)}`];
  const conf = readFileSync(source, 'utf8').replace(/#.*$/gm, '');
  for (const replica of replicas) {
    if (!new RegExp(`\\bserver\\s+${replica}:4000\\b`).test(conf)) problems.push(`proxy: ${source} must list "server ${replica}:4000" in its upstream`);
  }
  // A create that reached one replica must never be passed on to another.
  if (/non_idempotent/.test(conf)) problems.push(`proxy: ${source} must not retry non-idempotent requests (a create) on another replica`);
  return problems;
}

main().catch((err: unknown) => {
  process.stderr.write(`check-compose: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
