/**
 * Reliability test support: a simulator + gateway pair whose CDN client may use any
 * credentials (a wrong SK, an IAM token), raw HTTP requests that can carry anything, the
 * check that an answer is a well-formed GraphQL response, and a watch on unhandled rejections.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { runInThisContext } from 'node:vm';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index';
import type { CdnAuth } from '../../src/cdn/options';
import { createUpstream, upstreamOptionsFromConfig, type EconomyHandles } from '../../src/cdn/upstream';
import { loadConfig, DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Config } from '../../src/config';
import { ERROR_CODES } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { createGateway, type Gateway } from '../../src/server';
import { eventually } from '../support/eventually';
import { callSimulator } from '../support/sim-control';

/** Every `extensions.code` a client may see: the catalogue plus Apollo's own request-level codes. */
export const KNOWN_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(ERROR_CODES),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** One GraphQL error as the tests read it. */
export interface GqlError {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions: { readonly code: string; readonly [key: string]: unknown };
}

/** A GraphQL answer as the tests read it. */
export interface GqlAnswer {
  readonly status: number;
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GqlError[];
  /** The raw body, for leak checks. */
  readonly text: string;
}

/** A raw HTTP answer. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** A gateway in front of a simulator; the client's credentials may differ from what the simulator accepts. */
export interface ReliabilityStack {
  readonly simulator: Simulator;
  readonly gateway: Gateway;
  readonly config: Config;
  readonly economy?: EconomyHandles;
  /** URL of the gateway's /graphql. */
  readonly url: string;
  /** Posts a GraphQL request and reads the answer (it must be JSON). */
  query(query: string, variables?: Record<string, unknown>): Promise<GqlAnswer>;
  /** Calls the simulator's control API. */
  sim<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Counts the simulator's requests for a `METHOD path-template` key. */
  upstreamCalls(key: string): Promise<number>;
  close(): Promise<void>;
}

/** How to start a reliability stack. */
export interface ReliabilityStackOptions {
  /** Options of a simulator started for this stack (ignored with `upstream`). */
  readonly simulator?: SimulatorOptions;
  /** Uses this running simulator (not closed with the stack). */
  readonly upstream?: Simulator;
  /** The CDN client's credentials. @default the simulator's default AK/SK */
  readonly auth?: CdnAuth;
  /** Gateway settings (environment names) over the test defaults. */
  readonly env?: Record<string, string>;
  /** Wires the upstream economy (coalescing, cache, rate limits) from the config, as production does. @default false */
  readonly economy?: boolean;
}

/** Starts a gateway (and, unless `upstream` is given, a simulator) over loopback. */
export async function startReliabilityStack(options: ReliabilityStackOptions = {}): Promise<ReliabilityStack> {
  const simulator = options.upstream ?? (await createSimulator({ port: 0, quiet: true, records: 3000, ...options.simulator }));
  const config = loadConfig({ CDN_ENDPOINT: simulator.url, PORT: '0', LOG_LEVEL: 'silent', CURSOR_SECRET: 'test-cursor-secret-0123456789', ...options.env });
  const fromConfig = upstreamOptionsFromConfig(config, simulator.url);
  const upstream = createUpstream({
    ...fromConfig,
    auth: options.auth ?? { kind: 'aksk', ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK },
    economy: options.economy ? fromConfig.economy : false,
  });
  const economy = upstream.economy;
  await economy?.connect();
  const cdn = upstream.client;
  const gateway = await createGateway(config, { cdn, logger: createLogger('silent') });
  const url = await gateway.listen(0, '127.0.0.1');
  const sim = <T>(method: string, path: string, body?: unknown): Promise<T> => callSimulator<T>(simulator.url, method, path, body);
  return {
    simulator,
    gateway,
    config,
    economy,
    url,
    async query(query, variables) {
      const res = await send(url, { body: JSON.stringify({ query, variables }) });
      return toAnswer(res);
    },
    sim,
    async upstreamCalls(key) {
      const stats = await sim<{ requests: Record<string, number> }>('GET', '/__sim/stats');
      return stats.requests[key] ?? 0;
    },
    async close() {
      await gateway.close();
      await upstream.close();
      if (!options.upstream) await simulator.close();
    },
  };
}

/** What `send` may put on the wire. */
export interface RawRequest {
  /** @default 'POST' */
  readonly method?: string;
  /** Appended to the URL (e.g. `?query=...`). */
  readonly search?: string;
  /** @default { 'content-type': 'application/json' } when there is a body */
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** Sends one request on its own connection (no keep-alive) and reads the whole answer. */
export function send(url: string, req: RawRequest = {}): Promise<RawAnswer> {
  const target = new URL(url);
  const headers: Record<string, string> = req.headers ?? (req.body === undefined ? {} : { 'content-type': 'application/json' });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + (req.search ?? ''),
        method: req.method ?? 'POST',
        headers: { ...headers, ...(req.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(req.body)) }) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Writes bytes to a fresh connection as they are (no HTTP client in between) and parses the one answer the server sends before closing. */
export function sendBytes(url: string, bytes: string | Buffer): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, text: split < 0 ? '' : text.slice(split + 4) });
    });
    // Half-close after writing: the server answers what it got, then closes.
    socket.end(bytes);
  });
}

/** Parses a raw answer as a GraphQL answer; throws (naming the answer) when it is not one. */
export function toAnswer(res: RawAnswer): GqlAnswer {
  const problem = describeMalformed(res);
  if (problem) throw new Error(`not a well-formed GraphQL answer (${problem}): HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const body = JSON.parse(res.text) as { data?: Record<string, unknown> | null; errors?: GqlError[] };
  return { status: res.status, data: body.data, errors: body.errors, text: res.text };
}

/**
 * Says what makes an answer something other than a well-formed GraphQL response — JSON
 * holding `data` and/or a non-empty `errors` array whose entries have a message and an
 * `extensions.code` from `KNOWN_CODES`, never HTTP 500 — or `undefined` when it is one.
 */
export function describeMalformed(res: RawAnswer): string | undefined {
  if (res.status >= 500) return `HTTP ${res.status}`;
  if (!/json/.test(String(res.headers['content-type'] ?? ''))) return `content-type ${String(res.headers['content-type'])}`;
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return 'body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body is not a JSON object';
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (data === undefined && errors === undefined) return 'neither data nor errors';
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) return 'data is not an object';
  if (errors === undefined) return undefined;
  if (!Array.isArray(errors) || errors.length === 0) return 'errors is not a non-empty array';
  for (const e of errors as unknown[]) {
    if (typeof e !== 'object' || e === null) return 'an error is not an object';
    const { message, extensions } = e as { message?: unknown; extensions?: { code?: unknown } };
    if (typeof message !== 'string' || message === '') return 'an error has no message';
    if (typeof extensions?.code !== 'string') return 'an error has no extensions.code';
    if (!KNOWN_CODES.has(extensions.code)) return `unknown code ${extensions.code}`;
  }
  return undefined;
}

/** The distinct `extensions.code` values of an answer. */
export function codesOf(answer: GqlAnswer): string[] {
  return [...new Set((answer.errors ?? []).map((e) => e.extensions.code))];
}

/** Records unhandled rejections and uncaught exceptions while installed. */
export interface FailureWatch {
  readonly rejections: unknown[];
  readonly exceptions: unknown[];
  /** Removes the listeners. */
  stop(): void;
}

/**
 * The real `process`: Jest gives each test file a copy whose `on` never hears the real
 * process's events, so listeners must go on the object of the main context.
 */
export function realProcess(): NodeJS.Process {
  return runInThisContext('process') as NodeJS.Process;
}

/** Installs `unhandledRejection` and `uncaughtExceptionMonitor` listeners on the real process. */
export function watchProcessFailures(): FailureWatch {
  const target = realProcess();
  const rejections: unknown[] = [];
  const exceptions: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  const onException = (error: unknown): void => void exceptions.push(error);
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtExceptionMonitor', onException);
  return {
    rejections,
    exceptions,
    stop() {
      target.off('unhandledRejection', onRejection);
      target.off('uncaughtExceptionMonitor', onException);
    },
  };
}

/**
 * Leaves one rejection unhandled and returns what a fresh watch saw of it. Jest's own listener
 * (which would fail the calling test) is set aside meanwhile, so only the watch hears it.
 */
export async function probeUnhandledRejection(): Promise<FailureWatch> {
  const target = realProcess();
  const others = target.listeners('unhandledRejection');
  target.removeAllListeners('unhandledRejection');
  const probe = watchProcessFailures();
  try {
    void Promise.reject(new Error('probe: nobody handles this rejection'));
    // Node reports it once the microtask queue has drained: wait for the report, not a fixed delay.
    await eventually(() => expect(probe.rejections).toHaveLength(1), { timeoutMs: 5000, intervalMs: 1 }).catch(() => undefined); // the caller asserts what the watch saw
  } finally {
    probe.stop();
    for (const listener of others) target.on('unhandledRejection', listener as (...args: unknown[]) => void);
  }
  return probe;
}
