/**
 * The only side-effecting entry point: configuration → upstream (embedded simulator or Huawei
 * Cloud) → CDN client → gateway → listen, plus signal handling for a graceful shutdown.
 */
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import type { EconomyEvent } from './cdn/economy';
import { createUpstream, upstreamOptionsFromConfig } from './cdn/upstream';
import { createGateway } from './server';
import { createMetrics } from './http/metrics';
import { createUpstreamObserver } from './http/upstream-observer';
import { exposureWarning, jwtIssuerWarning } from './http/exposure';
import type { Tracer } from '@opentelemetry/api';
import { traceLogFields } from './telemetry/log-fields';
import type { TracingSettings } from './telemetry/settings';

/** Something to close at shutdown, in order. */
type Closer = () => Promise<void>;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example and the README's configuration table.\n`);
      process.exit(2);
    }
    throw err;
  }
  // With tracing on, every line carries the active span's trace_id and span_id, so logs and traces join.
  const logger = createLogger(config.logLevel, { secrets: secretsOf(config), ...(config.tracing.enabled ? { mixin: traceLogFields } : {}) });
  const closers: Closer[] = [];
  const tracer = await startTracingIfOn(config.tracing, logger, closers);
  const endpoint = await startUpstream(config, logger, closers);
  const metrics = createMetrics({ operationNames: config.metricsOperationNames });
  const upstreamObserver = createUpstreamObserver(logger, metrics);

  // The upstream client with its economy: coalescing, a short-lived cache and the quota's
  // rate limits, shared between replicas through Redis when REDIS_URL is set.
  const fromConfig = upstreamOptionsFromConfig(config, endpoint);
  const upstream = createUpstream({
    ...fromConfig,
    economy: { ...fromConfig.economy, onEvent: sharedStateLog(logger) },
    onEvent: upstreamObserver.onEvent,
    ...(tracer ? { tracer } : {}),
  });
  closers.unshift(() => upstream.close());
  const economy = upstream.economy;
  if (economy) {
    await economy.connect();
    logger.info(
      { state: economy.stateKind, cacheTtlMs: config.cacheTtlMs, rateLimits: config.rateLimits },
      `Upstream economy: cache, quota and idempotency keys kept in ${economy.stateKind}`,
    );
    metrics.registerSnapshot(() => economy.metrics());
  }
  const cdn = upstream.client;
  // Followed tasks are polled by one replica at a time when the economy shares state (REDIS_URL); per enterprise project.
  const pollers = economy?.pollers(config.enterpriseProjectId ?? '');
  const gateway = await createGateway(config, {
    cdn,
    logger,
    metrics,
    upstreamObserver,
    ...(economy ? { sharedState: economy.state } : {}),
    ...(pollers ? { pollers } : {}),
    ...(tracer ? { tracer } : {}),
  });
  const url = await gateway.listen(config.port, config.host);
  closers.unshift(() => gateway.close());
  logger.info({ url }, `GraphQL gateway ready at ${url}${config.explorer === 'off' ? '' : ' (open it in a browser for the explorer)'}`);
  const exposure = exposureWarning(config.host, config.callerAuth);
  if (exposure) logger.warn(exposure);
  const issuer = jwtIssuerWarning(config.callerAuth);
  if (issuer) logger.warn(issuer);
  if (config.cursorSecretGenerated) {
    logger.warn('CURSOR_SECRET is not set: cursors are signed with a random secret and stop working after a restart or on another replica');
  }
  installShutdown(logger, closers, config.shutdownTimeoutMs);
}

// Starts tracing when an OTLP endpoint is configured (the SDK is loaded only then); its shutdown, after the gateway and the upstream close, exports the last spans.
async function startTracingIfOn(settings: TracingSettings, logger: Logger, closers: Closer[]): Promise<Tracer | undefined> {
  if (!settings.enabled) {
    logger.info(`Tracing off: ${settings.reason}`);
    return undefined;
  }
  const { startTracing } = await import('./telemetry/start.js');
  const tracing = startTracing(settings, { logger });
  // Closers run in order, and the gateway's and the upstream's are put before this one: the spans of
  // requests still in flight at SIGTERM end before the last export.
  closers.push(() => tracing.shutdown());
  logger.info(
    { url: settings.url, serviceName: settings.serviceName, sampler: settings.sampler.name, ...(settings.sampler.name.endsWith('traceidratio') ? { ratio: settings.sampler.ratio } : {}) },
    `Tracing on: spans exported over OTLP/HTTP (JSON) to ${settings.url} as ${settings.serviceName}, sampler ${settings.sampler.name}`,
  );
  return tracing.tracer;
}

// Starts the embedded simulator when no real upstream is configured; returns the endpoint to call.
async function startUpstream(config: Config, logger: Logger, closers: Closer[]): Promise<string> {
  const target = config.upstream;
  if (target.mode === 'remote') {
    logger.info({ endpoint: target.endpoint, auth: target.auth.kind }, `Upstream: ${target.endpoint} (${target.auth.kind === 'aksk' ? 'AK/SK signing' : 'IAM token'})`);
    return target.endpoint;
  }
  // Loaded only in embedded mode: the gateway itself never depends on the simulator.
  const { createSimulator } = await import('./simulator/index.js');
  const simulator = await createSimulator({
    port: target.simulatorPort,
    host: '127.0.0.1',
    ak: target.auth.ak,
    sk: target.auth.sk,
    seed: target.simulatorSeed,
    quiet: true,
  });
  closers.push(() => simulator.close());
  logger.info(
    { endpoint: simulator.url },
    `Upstream: the embedded CDN simulator at ${simulator.url} (signed with SIMULATOR_AK/SK). ` +
      'To use Huawei Cloud, set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and CDN_ENDPOINT outside the default region).',
  );
  return simulator.url;
}

// Logs each transition of the shared state's parts to this replica's memory and back: once, not per failed command
// (the Redis client reports every reconnect attempt; gateway_state_errors_total counts them).
function sharedStateLog(logger: Logger): (event: EconomyEvent) => void {
  return (event) => {
    if (event.type !== 'state-fallback') return;
    const parts = event.parts.join(', ');
    if (event.local) {
      logger.warn(
        { sharedState: { local: event.parts } },
        `Redis unreachable or failing (${event.message ?? 'no detail'}); ${parts} now run on this replica's memory until it answers again: ` +
          'cache misses, per-replica rate limits, idempotency keys that protect within this replica only, each replica polling its followed tasks',
      );
    } else {
      logger.info({ sharedState: { shared: event.parts } }, `Redis answers again: ${parts} shared with the other replicas again`);
    }
  };
}

// Every secret value of the configuration, scrubbed from each log line.
function secretsOf(config: Config): Array<string | undefined> {
  const upstream = config.upstream.auth;
  const auth = config.callerAuth;
  return [
    ...(upstream.kind === 'aksk' ? [upstream.ak, upstream.sk, upstream.securityToken] : [upstream.token]),
    ...(auth.mode === 'api-key' ? auth.keys : []),
    ...(auth.mode === 'jwt' ? [auth.secret] : []),
    config.cursorSecret,
    config.federationTraceSecret,
    // A tracing backend's API key travels in the OTLP headers.
    ...(config.tracing.enabled ? Object.values(config.tracing.headers) : []),
    config.redisUrl && new URL(config.redisUrl).password ? decodeURIComponent(new URL(config.redisUrl).password) : undefined,
  ];
}

// Closes everything once on SIGTERM/SIGINT: stop accepting, finish in-flight requests, exit.
function installShutdown(logger: Logger, closers: Closer[], timeoutMs: number): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: no new connections; finishing in-flight requests');
    // The gateway itself gives in-flight requests `timeoutMs`; this is the backstop if closing hangs anyway.
    const backstopMs = timeoutMs + 5000;
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than ${backstopMs} ms; exiting`);
      process.exit(1);
    }, backstopMs);
    timer.unref();
    (async () => {
      for (const close of closers) await close();
      logger.info('shutdown complete');
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
