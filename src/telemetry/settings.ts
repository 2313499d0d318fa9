/**
 * The OpenTelemetry settings the gateway reads (the specification's standard `OTEL_*` variables),
 * as zod schemas that src/config.ts adds to its own, and the tracing part of the configuration
 * built from them. Pure: no SDK is loaded here (src/telemetry/start.ts loads it, only when tracing
 * is on). docs/tracing.md says what each setting does and why the defaults are what they are.
 */
import { z } from 'zod';
import { parseUrl } from '../parse-url';
import { wholeNumberSetting } from '../settings-number';

/** The samplers the specification names and the SDK builds (`OTEL_TRACES_SAMPLER`). */
export const SAMPLER_NAMES = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

/** One of `SAMPLER_NAMES`. */
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** The service name spans carry when `OTEL_SERVICE_NAME` is unset. */
export const DEFAULT_SERVICE_NAME = 'cdn-url-tasks-gateway';

/** The one OTLP encoding the installed exporter sends (@opentelemetry/exporter-trace-otlp-http). */
export const OTLP_PROTOCOL = 'http/json';

/** Which spans are kept, and at what ratio for the ratio samplers. */
export interface SamplerSettings {
  readonly name: SamplerName;
  /** Share of traces kept by `traceidratio` samplers, 0 to 1 (`OTEL_TRACES_SAMPLER_ARG`, default 1). */
  readonly ratio: number;
}

/** The batch span processor's settings (`OTEL_BSP_*`). */
export interface BatchSettings {
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
}

/** Tracing off: nothing is registered, and no span is made. */
export interface TracingOff {
  readonly enabled: false;
  /** Why, for the start-up log line. */
  readonly reason: string;
}

/** Tracing on: spans are exported over OTLP/HTTP (JSON) to `url`. */
export interface TracingOn {
  readonly enabled: true;
  /** Where spans are POSTed: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
  readonly url: string;
  /** Headers sent with every export (`OTEL_EXPORTER_OTLP_HEADERS`, then `..._TRACES_HEADERS`); secrets, never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  /** `OTEL_RESOURCE_ATTRIBUTES`, decoded. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerSettings;
  readonly batch: BatchSettings;
}

/** The tracing part of the configuration. */
export type TracingSettings = TracingOff | TracingOn;

// A whole number within bounds, with a default (the BSP settings).
const int = wholeNumberSetting;

// An OTLP endpoint: http(s), and no credentials in the URL (they belong in OTEL_EXPORTER_OTLP_HEADERS, which is never logged).
const otlpUrl = z
  .string()
  .trim()
  .refine((u) => /^https?:$/.test(parseUrl(u)?.protocol ?? ''), 'must be an http(s) URL such as http://127.0.0.1:4318')
  .refine((u) => { const url = parseUrl(u); return !url || (url.username === '' && url.password === ''); }, 'must not hold credentials (user:password@): send them in OTEL_EXPORTER_OTLP_HEADERS, which is never logged')
  .optional();

const protocol = z
  .string()
  .trim()
  .refine(
    (p) => p === OTLP_PROTOCOL,
    `must be ${OTLP_PROTOCOL} (or unset): the gateway exports OTLP over HTTP with JSON bodies; http/protobuf and grpc need exporters it does not ship (an OpenTelemetry Collector or Jaeger takes JSON on the same port 4318)`,
  )
  .optional();

// `key=value,key=value` with percent-encoded values (the W3C Baggage form the specification uses for headers and resource attributes).
const keyValues = (what: string, keyRule: RegExp, secret: boolean) =>
  z
    .string()
    .transform((value, ctx) => {
      const out: Record<string, string> = {};
      value.split(',').forEach((entry, i) => {
        if (entry.trim() === '') return;
        const at = entry.indexOf('=');
        const key = at < 0 ? entry.trim() : entry.slice(0, at).trim();
        const raw = at < 0 ? undefined : entry.slice(at + 1).trim();
        const shown = secret ? `entry #${i + 1}` : JSON.stringify(entry.trim().slice(0, 60));
        if (raw === undefined || !keyRule.test(key)) {
          ctx.addIssue({ code: 'custom', message: `${shown} is not ${what}=value (comma-separated ${what}=value pairs, values percent-encoded)` });
          return;
        }
        try {
          out[key] = decodeURIComponent(raw);
        } catch {
          ctx.addIssue({ code: 'custom', message: `${shown} has a value that is not valid percent-encoding` });
        }
      });
      return out;
    })
    .optional()
    .transform((v) => v ?? {});

// An HTTP header name (RFC 9110 token).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
// A resource attribute key: printable ASCII without separators.
const ATTRIBUTE_KEY = /^[\x21-\x2b\x2d-\x3c\x3e-\x7e]{1,255}$/;

// `true`/`false` in any case, as the specification reads booleans.
const bool = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false'], 'must be true or false'))
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true'));

/**
 * The `OTEL_*` settings as zod schemas, spread into the configuration schema of src/config.ts
 * (so they are validated, and listed in README and .env.example, with every other setting).
 */
export const OTEL_SETTINGS = {
  OTEL_SDK_DISABLED: bool(false),
  OTEL_TRACES_EXPORTER: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['otlp', 'none'], 'must be otlp (export spans over OTLP/HTTP) or none (no tracing); other exporters (console, zipkin, several at once) are not built in'))
    .optional()
    .transform((v) => v ?? 'otlp'),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_HEADERS: keyValues('name', HEADER_NAME, true),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValues('name', HEADER_NAME, true),
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(255, 'must be at most 255 characters').optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValues('key', ATTRIBUTE_KEY, false),
  OTEL_TRACES_SAMPLER: z
    .string()
    .trim()
    .pipe(z.enum(SAMPLER_NAMES, `must be one of ${SAMPLER_NAMES.join(', ')}`))
    .optional()
    .transform((v) => v ?? 'parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .trim()
    .regex(/^(?:0|1|0?\.\d+|1\.0*)$/, 'must be a number from 0 to 1, the share of traces kept (0.01 keeps 1 %)')
    .transform(Number)
    .optional(),
  // The SDK's defaults (specification): export every 5 s, give an export 30 s, hold 2048 spans, send 512 at a time.
  OTEL_BSP_SCHEDULE_DELAY: int(1, 3_600_000, 5000),
  OTEL_BSP_EXPORT_TIMEOUT: int(1, 600_000, 30_000),
  OTEL_BSP_MAX_QUEUE_SIZE: int(1, 1_000_000, 2048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: int(1, 1_000_000, 512),
};

/** The `OTEL_*` settings once parsed. */
export type OtelEnv = z.output<z.ZodObject<typeof OTEL_SETTINGS>>;

/**
 * Names of the settings whose values are never echoed in configuration problems: the headers are
 * secrets (a backend's API key), and a refused endpoint may be refused for holding a password.
 */
export const SECRET_OTEL_SETTINGS: readonly string[] = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];

/** Lists `OTEL_*` settings that are valid alone but contradict each other. */
export function findTracingContradictions(e: OtelEnv): string[] {
  const problems: string[] = [];
  if (e.OTEL_TRACES_SAMPLER_ARG !== undefined && !e.OTEL_TRACES_SAMPLER.endsWith('traceidratio')) {
    problems.push(
      `OTEL_TRACES_SAMPLER_ARG is set but OTEL_TRACES_SAMPLER is ${e.OTEL_TRACES_SAMPLER}: the ratio applies to traceidratio and parentbased_traceidratio only; set one of them, or unset OTEL_TRACES_SAMPLER_ARG`,
    );
  }
  if (e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE > e.OTEL_BSP_MAX_QUEUE_SIZE) {
    problems.push(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE}) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${e.OTEL_BSP_MAX_QUEUE_SIZE}): a batch is taken from the queue`);
  }
  return problems;
}

/** Builds the tracing settings: on only with an endpoint, and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none. */
export function toTracingSettings(e: OtelEnv): TracingSettings {
  if (e.OTEL_SDK_DISABLED) return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  if (e.OTEL_TRACES_EXPORTER === 'none') return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  const url = tracesUrl(e.OTEL_EXPORTER_OTLP_ENDPOINT, e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (url === undefined) return { enabled: false, reason: 'neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set' };
  return Object.freeze({
    enabled: true,
    url,
    // The traces-specific headers win over the general ones, as the specification says.
    headers: Object.freeze({ ...e.OTEL_EXPORTER_OTLP_HEADERS, ...e.OTEL_EXPORTER_OTLP_TRACES_HEADERS }),
    // OTEL_SERVICE_NAME wins over a service.name among the resource attributes, as the specification says.
    serviceName: e.OTEL_SERVICE_NAME ?? e.OTEL_RESOURCE_ATTRIBUTES['service.name'] ?? DEFAULT_SERVICE_NAME,
    resourceAttributes: Object.freeze({ ...e.OTEL_RESOURCE_ATTRIBUTES }),
    sampler: Object.freeze({ name: e.OTEL_TRACES_SAMPLER, ratio: e.OTEL_TRACES_SAMPLER_ARG ?? 1 }),
    batch: Object.freeze({
      scheduledDelayMillis: e.OTEL_BSP_SCHEDULE_DELAY,
      exportTimeoutMillis: e.OTEL_BSP_EXPORT_TIMEOUT,
      maxQueueSize: e.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
    }),
  });
}

/**
 * Returns where spans go: the traces endpoint as given, else the general endpoint with
 * `v1/traces` appended (after a `/`), as the specification says; undefined when neither is set.
 */
export function tracesUrl(endpoint: string | undefined, tracesEndpoint: string | undefined): string | undefined {
  if (tracesEndpoint !== undefined) return tracesEndpoint;
  if (endpoint === undefined) return undefined;
  return `${endpoint.endsWith('/') ? endpoint : `${endpoint}/`}v1/traces`;
}
