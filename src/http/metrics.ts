/**
 * Prometheus metrics (prom-client) on a registry of the gateway's own: GraphQL requests,
 * errors and latency by operation; HTTP answers by route; upstream attempts by operation,
 * status and outcome; subscriptions (task pollers, subscribers, polls by outcome, connections
 * by transport); and any counters snapshot (the upstream economy's) registered in one line.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamEvent } from '../cdn/options';
import { isClientErrorCode } from '../errors';
import type { PollOutcome } from '../graph/progress/hub';
import { createOperationLabeler } from './operation-label';

/**
 * A snapshot of figures to expose: any object whose leaves are numbers (and strings for info
 * labels), nested as deep as needed; `byX` records become a label `x`. Typed as `object` so
 * that interfaces such as the economy's `EconomyMetrics` pass without an index signature.
 */
export type Snapshot = object;

/** One GraphQL request, as the metrics see it. */
export interface GraphQLObservation {
  readonly operation: string;
  readonly durationMs: number;
  /** `extensions.code` of each error sent to the client. */
  readonly errorCodes: readonly string[];
}

/** Live subscription figures, read at each scrape. */
export interface SubscriptionFigures {
  /** Followed tasks being polled (one shared poller each). */
  readonly pollers: number;
  /** Open taskProgress subscriptions, over every transport. */
  readonly subscribers: number;
  /** Open subscription connections by transport. */
  readonly connections: { readonly websocket: number; readonly sse: number };
}

/** The gateway's metrics. */
export interface Metrics {
  readonly registry: Registry;
  /** The content type of `render()`'s text. */
  readonly contentType: string;
  /** Counts a GraphQL request and its errors, and records its latency. */
  observeGraphQL(observation: GraphQLObservation): void;
  /** Counts an HTTP answer by route and status. */
  observeHttp(route: string, status: number): void;
  /** Counts an upstream attempt and records its latency (pass as the CDN client's `onEvent`). */
  observeUpstream(event: UpstreamEvent): void;
  /** Counts one poll of a followed task by how it ended (pass as the progress hub's `onPoll`). */
  observeProgressPoll(outcome: PollOutcome): void;
  /** Exposes the subscription figures `read` returns at each scrape (summed when several gateways share these metrics). */
  watchSubscriptions(read: () => SubscriptionFigures): void;
  /** Exposes the figures `read` returns at each scrape, e.g. `metrics.registerSnapshot(() => economy.metrics())`. */
  registerSnapshot(read: () => Snapshot): void;
  /** Renders every metric in the Prometheus text format. */
  render(): Promise<string>;
}

// The outcomes of a poll (src/graph/progress/hub.ts).
const POLL_OUTCOMES: readonly PollOutcome[] = ['changed', 'unchanged', 'not_found', 'error', 'cancelled'];

/** Latency buckets in seconds, from a cached answer to a request at its deadline. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** Adds Node.js process metrics (CPU, memory, event loop). @default true */
  readonly processMetrics?: boolean;
  /** Operation names counted under their own `operation` label (`METRICS_OPERATION_NAMES`); any other name is `other`. @default none */
  readonly operationNames?: readonly string[];
}

/** Creates the metrics on a fresh registry. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const operationLabel = createOperationLabeler(options.operationNames ?? []);

  const graphqlRequests = new Counter({ name: 'gateway_graphql_requests_total', help: 'GraphQL requests by operation name', labelNames: ['operation'], registers: [registry] });
  const graphqlErrors = new Counter({ name: 'gateway_graphql_errors_total', help: 'Errors sent to GraphQL clients by operation name and extensions.code', labelNames: ['operation', 'code'], registers: [registry] });
  const graphqlDuration = new Histogram({ name: 'gateway_graphql_request_duration_seconds', help: 'GraphQL request latency by operation name', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const httpResponses = new Counter({ name: 'gateway_http_responses_total', help: 'HTTP answers by route and status', labelNames: ['route', 'status'], registers: [registry] });
  const upstreamRequests = new Counter({ name: 'gateway_upstream_requests_total', help: 'Upstream CDN API attempts by operation, HTTP status (0 = no answer) and outcome (ok or error code)', labelNames: ['operation', 'status', 'outcome'], registers: [registry] });
  const upstreamRetries = new Counter({ name: 'gateway_upstream_retries_total', help: 'Upstream attempts after the first, by operation', labelNames: ['operation'], registers: [registry] });
  const upstreamDuration = new Histogram({ name: 'gateway_upstream_request_duration_seconds', help: 'Upstream CDN API attempt latency by operation and outcome', labelNames: ['operation', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] });

  const subscriptionReaders: Array<() => SubscriptionFigures> = [];
  const sumOf = (pick: (f: SubscriptionFigures) => number) => subscriptionReaders.reduce((n, read) => n + pick(read()), 0);
  const progressPolls = new Counter({ name: 'gateway_progress_polls_total', help: 'Task detail polls behind taskProgress subscriptions, by outcome (changed, unchanged, not_found, error, cancelled)', labelNames: ['outcome'], registers: [registry] });
  // Every outcome from the start, so rates over them exist before the first poll of each kind.
  for (const outcome of POLL_OUTCOMES) progressPolls.inc({ outcome }, 0);
  new Gauge({
    name: 'gateway_progress_pollers',
    help: 'Followed tasks being polled (one shared poller per task, whatever the number of subscribers)',
    registers: [registry],
    collect() {
      this.set(sumOf((f) => f.pollers));
    },
  });
  new Gauge({
    name: 'gateway_progress_subscribers',
    help: 'Open taskProgress subscriptions, over WebSocket and Server-Sent Events',
    registers: [registry],
    collect() {
      this.set(sumOf((f) => f.subscribers));
    },
  });
  new Gauge({
    name: 'gateway_subscription_connections',
    help: 'Open subscription connections by transport (websocket, sse)',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      this.set({ transport: 'websocket' }, sumOf((f) => f.connections.websocket));
      this.set({ transport: 'sse' }, sumOf((f) => f.connections.sse));
    },
  });

  const snapshots: Array<() => void> = [];

  return {
    registry,
    contentType: registry.contentType,
    observeGraphQL({ operation, durationMs, errorCodes }) {
      const label = operationLabel(operation);
      graphqlRequests.inc({ operation: label });
      graphqlDuration.observe({ operation: label }, durationMs / 1000);
      // Codes come from the catalogue; anything else (a bug) is counted, but under a fixed value.
      for (const code of errorCodes) graphqlErrors.inc({ operation: label, code: isClientErrorCode(code) ? code : 'other' });
    },
    observeHttp(route, status) {
      httpResponses.inc({ route, status: String(status) });
    },
    observeUpstream(event) {
      upstreamRequests.inc({ operation: event.operation, status: String(event.status), outcome: event.outcome });
      upstreamDuration.observe({ operation: event.operation, outcome: event.outcome }, event.durationMs / 1000);
      if (event.attempt > 1) upstreamRetries.inc({ operation: event.operation });
    },
    observeProgressPoll(outcome) {
      progressPolls.inc({ outcome });
    },
    watchSubscriptions(read) {
      subscriptionReaders.push(read);
    },
    registerSnapshot(read) {
      snapshots.push(registerSnapshotMetrics(registry, read));
    },
    async render() {
      for (const refresh of snapshots) refresh();
      return registry.metrics();
    },
  };
}

/** One figure of a snapshot, ready to expose. */
export interface SnapshotSample {
  readonly name: string;
  readonly kind: 'counter' | 'gauge';
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

// Leaf names that count events since start (exposed as counters, with `_total`).
const COUNTER_LEAF = /(hits|misses|coalesced|shared|queued|rejected|errors|requests|calls|evictions|total)$/;

/**
 * Flattens a snapshot into metric samples: nested keys join with `_` in snake case under
 * `prefix`; a `byX` record becomes label `x` (its aggregate siblings are dropped so sums stay
 * right); `Ms` figures become seconds; event counts become counters; strings become labels of
 * `<prefix>_info`.
 */
export function flattenSnapshot(snapshot: Snapshot, prefix = 'gateway'): SnapshotSample[] {
  const samples: SnapshotSample[] = [];
  const info: Record<string, string> = {};
  const walk = (node: Record<string, unknown>, path: string[], labels: Record<string, string>): void => {
    const byKeys = Object.keys(node).filter((k) => /^by[A-Z]/.test(k) && isRecord(node[k]));
    const covered = new Set<string>();
    for (const byKey of byKeys) {
      const label = snake(byKey.slice(2));
      for (const [value, child] of Object.entries(node[byKey] as Record<string, unknown>)) {
        if (!isRecord(child)) continue;
        Object.keys(child).forEach((k) => covered.add(k));
        walk(child, path, { ...labels, [label]: value });
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (byKeys.includes(key) || covered.has(key)) continue;
      if (isRecord(value)) walk(value, [...path, key], labels);
      else if (typeof value === 'number' && Number.isFinite(value)) samples.push(toSample(prefix, [...path, key], labels, value));
      else if (typeof value === 'string' && path.length === 0) info[snake(key)] = value;
    }
  };
  if (isRecord(snapshot)) walk(snapshot, [], {});
  if (Object.keys(info).length > 0) samples.push({ name: `${prefix}_economy_info`, kind: 'gauge', labels: info, value: 1 });
  return samples;
}

// Names, types and scales one numeric leaf.
function toSample(prefix: string, path: string[], labels: Record<string, string>, raw: number): SnapshotSample {
  let name = [prefix, ...path.map(snake)].join('_');
  let value = raw;
  if (/_ms(_|$)/.test(name)) {
    name = name.replace(/_ms(_|$)/, '_seconds$1');
    value = raw / 1000;
  }
  const leaf = path[path.length - 1] ?? '';
  const counter = COUNTER_LEAF.test(leaf.toLowerCase()) && value >= 0;
  if (counter && !name.endsWith('_total')) name += '_total';
  return { name, kind: counter ? 'counter' : 'gauge', labels, value };
}

// Declares one metric per figure the snapshot has now; returns the refresh to run before each scrape.
function registerSnapshotMetrics(registry: Registry, read: () => Snapshot): () => void {
  const safeRead = (): SnapshotSample[] | undefined => {
    try {
      return flattenSnapshot(read());
    } catch {
      // A failing snapshot must not break the scrape; its figures keep their last values.
      return undefined;
    }
  };
  const first = safeRead() ?? [];
  const metrics = new Map<string, { kind: 'counter' | 'gauge'; metric: Counter<string> | Gauge<string> }>();
  for (const sample of first) {
    if (metrics.has(sample.name) || registry.getSingleMetric(sample.name)) continue;
    const labelNames = [...new Set(first.filter((s) => s.name === sample.name).flatMap((s) => Object.keys(s.labels)))];
    const help = `${sample.name.replace(/_/g, ' ')} (from the registered snapshot)`;
    const metric =
      sample.kind === 'counter'
        ? new Counter({ name: sample.name, help, labelNames, registers: [registry] })
        : new Gauge({ name: sample.name, help, labelNames, registers: [registry] });
    metrics.set(sample.name, { kind: sample.kind, metric });
  }
  return () => {
    const samples = safeRead();
    if (!samples) return;
    for (const { metric } of metrics.values()) metric.reset();
    for (const sample of samples) {
      const entry = metrics.get(sample.name);
      if (!entry) continue;
      try {
        if (entry.metric instanceof Counter) {
          if (sample.value >= 0) entry.metric.inc(sample.labels, sample.value);
        } else entry.metric.set(sample.labels, sample.value);
      } catch {
        // A label the first snapshot did not have: the figure is skipped rather than the scrape failing.
      }
    }
  };
}

// camelCase or kebab-case → snake_case.
function snake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

// Tells whether a snapshot value is a nested record.
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
