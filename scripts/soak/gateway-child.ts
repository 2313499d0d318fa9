/**
 * The soak's gateway process: the gateway wired as main.ts wires it (config from the
 * environment, metrics, upstream observer, the upstream economy, the CDN client), plus what
 * only the soak needs, over IPC and never in the product: its RSS, its event-loop delay
 * (perf_hooks.monitorEventLoopDelay), its open handles, and counts of upstream attempts.
 * It runs in its own process so that the load generator does not share (and distort) its
 * event loop. Started by `runSoak` with `fork`; see run.ts for the messages.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createUpstream, upstreamOptionsFromConfig } from '../../src/cdn/upstream';
import type { UpstreamEvent } from '../../src/cdn/options';
import { createGateway } from '../../src/server';
import { createMetrics } from '../../src/http/metrics';
import { createUpstreamObserver } from '../../src/http/upstream-observer';

/** Messages the parent sends. */
export type ParentMessage =
  /** `collect`: run a full garbage collection first (the process runs with --expose-gc), so that RSS and heap show what is retained. */
  | { readonly type: 'sample'; readonly collect?: boolean }
  | { readonly type: 'reset-lag' }
  | { readonly type: 'close' };

/** What the child reports about itself. */
export interface ChildSample {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Event-loop delay since the last reset, in ms. */
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  /** Open handles of `process._getActiveHandles()` (closed servers and destroyed sockets linger there until reaped): count and constructor names. */
  readonly handles: number;
  readonly handleTypes: Readonly<Record<string, number>>;
  /** Bytes and entries held by the economy's response cache (bounded by CACHE_MAX_BYTES). */
  readonly cache: { readonly bytes: number; readonly entries: number };
  /** CPU time used since start, in ms. */
  readonly cpuMs: number;
  /** Upstream attempts by outcome (`ok` or an error code), and retries (attempts after the first). */
  readonly upstream: { readonly attempts: number; readonly retries: number; readonly byOutcome: Readonly<Record<string, number>> };
}

/** Messages the child sends. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly url: string; readonly sample: ChildSample }
  | { readonly type: 'sample'; readonly sample: ChildSample }
  | { readonly type: 'closed'; readonly sample: ChildSample }
  | { readonly type: 'failed'; readonly message: string };

// Node's undocumented but long-stable view of what keeps the process alive.
interface ProcessInternals {
  _getActiveHandles(): object[];
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.upstream.mode !== 'remote') throw new Error('the soak child needs CDN_ENDPOINT (the soak starts its own simulator)');
  const logger = createLogger(config.logLevel, { secrets: [config.cursorSecret] });
  const metrics = createMetrics({ operationNames: config.metricsOperationNames });
  const observer = createUpstreamObserver(logger, metrics);
  const upstream = { attempts: 0, retries: 0, byOutcome: {} as Record<string, number> };
  const onEvent = (event: UpstreamEvent): void => {
    observer.onEvent(event);
    upstream.attempts++;
    if (event.attempt > 1) upstream.retries++;
    upstream.byOutcome[event.outcome] = (upstream.byOutcome[event.outcome] ?? 0) + 1;
  };
  // The same factory and config mapping as main.ts: client, coalescing, cache, rate limits.
  const upstreamClient = createUpstream({ ...upstreamOptionsFromConfig(config, config.upstream.endpoint), onEvent });
  const economy = upstreamClient.economy;
  if (!economy) throw new Error('the soak child expects the upstream economy');
  await economy.connect();
  metrics.registerSnapshot(() => economy.metrics());
  const cdn = upstreamClient.client;
  const gateway = await createGateway(config, { cdn, logger, metrics, upstreamObserver: observer });
  const url = await gateway.listen(config.port, config.host);

  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpuStart = process.cpuUsage();
  const sample = (): ChildSample => {
    const handles = (process as unknown as ProcessInternals)._getActiveHandles().filter(isOpen);
    const handleTypes: Record<string, number> = {};
    for (const handle of handles) handleTypes[handle.constructor.name] = (handleTypes[handle.constructor.name] ?? 0) + 1;
    const cpu = process.cpuUsage(cpuStart);
    const cache = economy.metrics().cache;
    const memory = process.memoryUsage();
    return {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      lagP50Ms: lag.percentile(50) / 1e6,
      lagP99Ms: lag.percentile(99) / 1e6,
      lagMaxMs: lag.max / 1e6,
      handles: handles.length,
      handleTypes,
      cache: { bytes: cache.bytes ?? 0, entries: cache.entries ?? 0 },
      cpuMs: (cpu.user + cpu.system) / 1000,
      upstream: { attempts: upstream.attempts, retries: upstream.retries, byOutcome: { ...upstream.byOutcome } },
    };
  };
  const send = (message: ChildMessage): void => void process.send?.(message);

  process.on('message', (message: ParentMessage) => {
    switch (message.type) {
      case 'sample':
        if (message.collect) (globalThis as { gc?: () => void }).gc?.();
        send({ type: 'sample', sample: sample() });
        return;
      case 'reset-lag':
        lag.reset();
        return;
      case 'close':
        // Closes everything as main.ts does, then lets go of IPC: with nothing left open, the process exits by itself.
        void (async () => {
          await gateway.close();
          await upstreamClient.close();
          lag.disable();
          send({ type: 'closed', sample: sample() });
          process.disconnect();
        })();
        return;
    }
  });
  send({ type: 'ready', url, sample: sample() });
}

// Tells whether a handle is still open: a closed server or destroyed socket stays listed until libuv reaps it.
function isOpen(handle: object): boolean {
  const h = handle as { listening?: unknown; destroyed?: unknown };
  if (typeof h.listening === 'boolean') return h.listening;
  if (typeof h.destroyed === 'boolean') return !h.destroyed;
  return true;
}

main().catch((err: unknown) => {
  process.send?.({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies ChildMessage);
  process.exitCode = 1;
  process.disconnect?.();
});
