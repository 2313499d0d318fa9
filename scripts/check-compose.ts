/**
 * Reads `docker compose config` (YAML or JSON) on stdin and checks what a compose parser cannot:
 * the gateway's environment passes the gateway's own configuration schema, it points at the
 * simulator and Redis services, every service has a healthcheck, and the gateway waits for
 * healthy dependencies. The optional Jaeger service sits behind the `tracing` profile; the
 * gateway's tracing is off by default and, with `--tracing` (the config rendered with
 * OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318), on and exporting to Jaeger's OTLP/HTTP port.
 * Exits 1 with every problem listed.
 */
import { ConfigError, loadConfig } from '../src/config';
import { parse as parseYaml } from 'yaml';

interface ComposeService {
  profiles?: string[];
  environment?: Record<string, string | null> | string[];
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  command?: string[] | string;
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

// The profile the optional trace store sits behind, and where the gateway exports to it.
const TRACING_PROFILE = 'tracing';
const JAEGER_OTLP = { hostname: 'jaeger', port: '4318' };

async function main(): Promise<void> {
  const tracing = process.argv.includes('--tracing');
  // YAML is a superset of JSON: this reads either form of `compose config`.
  const compose = parseYaml(await readStdin()) as { services?: Record<string, ComposeService> };
  const services = compose.services ?? {};
  const problems: string[] = [];
  for (const name of ['gateway', 'simulator', 'redis', 'jaeger']) {
    const service = services[name];
    if (!service) problems.push(`service "${name}" is missing`);
    else if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`service "${name}" has no healthcheck`);
  }
  // Only the trace store is optional: `docker compose up` without a profile starts the stack without it.
  for (const [name, service] of Object.entries(services)) {
    const optional = (service.profiles ?? []).length > 0;
    if (name === 'jaeger' && !(service.profiles ?? []).includes(TRACING_PROFILE)) problems.push(`jaeger: must sit behind the "${TRACING_PROFILE}" profile (profiles: ["${TRACING_PROFILE}"]), so that the stack starts without it`);
    else if (name !== 'jaeger' && optional) problems.push(`${name}: must not sit behind a profile; the stack needs it`);
  }
  const gateway = services.gateway;
  if (gateway) {
    const env = envOf(gateway);
    try {
      const config = loadConfig(env, () => 'compose-check');
      if (config.upstream.mode !== 'remote' || new URL(config.upstream.endpoint).hostname !== 'simulator') {
        problems.push(`gateway: CDN_ENDPOINT must point at the simulator service (http://simulator:9100); got ${JSON.stringify(env.CDN_ENDPOINT ?? null)}`);
      }
      if (!config.redisUrl || new URL(config.redisUrl).hostname !== 'redis') problems.push('gateway: REDIS_URL must point at the redis service (redis://redis:6379)');
      if (config.host === '127.0.0.1') problems.push('gateway: HOST must be 0.0.0.0 in a container, or nothing outside it can connect');
      if (!tracing && config.tracing.enabled) {
        problems.push('gateway: tracing must be off unless OTEL_EXPORTER_OTLP_ENDPOINT is given (the jaeger service only runs with --profile tracing); use ${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
      }
      if (tracing) {
        const url = config.tracing.enabled ? new URL(config.tracing.url) : undefined;
        if (!url || url.hostname !== JAEGER_OTLP.hostname || url.port !== JAEGER_OTLP.port) {
          problems.push(`gateway: with OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318, tracing must be on and export to the jaeger service's OTLP/HTTP port; got ${config.tracing.enabled ? config.tracing.url : `tracing off (${config.tracing.reason})`}`);
        }
      }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems.map((p) => `gateway environment: ${p}`));
    }
    const depends = gateway.depends_on ?? {};
    for (const dep of ['simulator', 'redis']) {
      const condition = Array.isArray(depends) ? undefined : depends[dep]?.condition;
      if (condition !== 'service_healthy') problems.push(`gateway: depends_on.${dep}.condition must be service_healthy; got ${JSON.stringify(condition ?? null)}`);
    }
  }
  const simulatorCommand = services.simulator?.command;
  if (!(Array.isArray(simulatorCommand) ? simulatorCommand.join(' ') : String(simulatorCommand ?? '')).includes('simulator')) {
    problems.push('simulator: command must run the simulator (npm run simulator)');
  }
  if (problems.length > 0) {
    process.stderr.write(`docker-compose.yml: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `docker-compose.yml: services ${Object.keys(services).sort().join(', ')}; gateway environment valid, wired to simulator and redis, healthchecks present; ` +
      (tracing ? 'with OTEL_EXPORTER_OTLP_ENDPOINT set, spans go to jaeger\n' : `tracing off by default, jaeger behind the "${TRACING_PROFILE}" profile\n`),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`check-compose: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
