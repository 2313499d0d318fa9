/**
 * Reads `docker compose config` (YAML or JSON) on stdin and checks what a compose parser cannot:
 * the gateway's environment passes the gateway's own configuration schema, it points at the
 * simulator and Redis services, every service has a healthcheck, and the gateway waits for
 * healthy dependencies. Exits 1 with every problem listed.
 */
import { ConfigError, loadConfig } from '../src/config';
import { parse as parseYaml } from 'yaml';

interface ComposeService {
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

async function main(): Promise<void> {
  // YAML is a superset of JSON: this reads either form of `compose config`.
  const compose = parseYaml(await readStdin()) as { services?: Record<string, ComposeService> };
  const services = compose.services ?? {};
  const problems: string[] = [];
  for (const name of ['gateway', 'simulator', 'redis']) {
    const service = services[name];
    if (!service) problems.push(`service "${name}" is missing`);
    else if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`service "${name}" has no healthcheck`);
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
  process.stdout.write(`docker-compose.yml: services ${Object.keys(services).sort().join(', ')}; gateway environment valid, wired to simulator and redis, healthchecks present\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`check-compose: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
