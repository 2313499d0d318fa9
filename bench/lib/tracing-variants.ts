/**
 * Gateways with tracing on, in the bench: BENCH_VARIANTS settings whose value is `$OTLP_SINK`
 * are given the origin of the bench's OTLP sink (bench/lib/otlp-sink.ts), and each such variant
 * exports under its own service name, so the sink's counts say which gateway sent what.
 */
import type { SinkStats } from './otlp-sink';

/** The placeholder BENCH_VARIANTS values use for the sink's origin, e.g. `{"OTEL_EXPORTER_OTLP_ENDPOINT":"$OTLP_SINK"}`. */
export const OTLP_SINK = '$OTLP_SINK';

/** Variants by name: extra settings of one more gateway each. */
export type Variants = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Tells whether any variant exports to the sink (then the bench starts one). */
export function usesSink(variants: Variants): boolean {
  return Object.values(variants).some((settings) => Object.values(settings).includes(OTLP_SINK));
}

/** Returns the variants with the sink's origin in place of `$OTLP_SINK`, and a service name `gateway[name]` for those that export to it and name none. */
export function resolveSinkVariants(variants: Variants, origin: string): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(variants).map(([name, settings]) => {
      if (!Object.values(settings).includes(OTLP_SINK)) return [name, { ...settings }];
      const resolved = Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, value === OTLP_SINK ? origin : value]));
      return [name, { OTEL_SERVICE_NAME: `gateway[${name}]`, ...resolved }];
    }),
  );
}

/** Describes what the sink received over the whole run, by gateway, with each gateway's share of the largest count. */
export function formatSinkReport(stats: SinkStats): string {
  const entries = Object.entries(stats.spans).sort(([a], [b]) => a.localeCompare(b));
  const most = Math.max(1, ...entries.map(([, n]) => n));
  const lines = entries.map(([service, n]) => `  ${service}: ${n} spans (${((n / most) * 100).toFixed(1)} % of the most)`);
  return [
    `OTLP sink, whole run (warm-up, answer checks and every phase included): ${stats.exports} exports, ${(stats.bytes / 1024 / 1024).toFixed(1)} MiB${stats.refused > 0 ? `, ${stats.refused} refused` : ''}`,
    ...(lines.length > 0 ? lines : ['  no span received: no variant had tracing on, or its exports failed (see the gateway logs)']),
  ].join('\n');
}
