/**
 * The HTTP side of the simulator (node:http only): routing, authentication, rate limiting,
 * fault injection and writing answers. Every answer carries `X-request-id`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { OperationName } from '../cdn/models';
import { createPreheatTask, createRefreshTask, listHistoryTasks, listUrlTasks, showTaskDetail, type ApiContext } from './api';
import { authenticate } from './auth';
import { refuseByAccount } from './account';
import { handleControl, isLoopbackAddress } from './control';
import { drawFault, faultsApplyTo, type FaultConfig } from './faults';
import { reshapeBody, reshapes } from './reshape';
import { badRequest, businessError, gatewayError, injectedError, NOT_FOUND_MESSAGE, throttlingMessage, type ApiAnswer } from './responses';
import { matchRoute, type RouteMatch } from './routes';
import type { SimulatorState } from './state';
import type { RawQuery } from './validation';
import { parseRawQuery } from './verify';

/** A request listener plus the means to cancel its pending delays when the server closes. */
export interface RequestHandler {
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Clears every pending latency timer. */
  cancelTimers(): void;
}

/** What happens to one API call. */
type Outcome =
  | { readonly kind: 'answer'; readonly answer: ApiAnswer; readonly malformed?: boolean }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'reset' };

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Creates the request listener of a simulator state. */
export function createRequestHandler(state: SimulatorState): RequestHandler {
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomBytes(16).toString('hex');
    res.setHeader('X-request-id', requestId);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    const body = await readBody(req);

    if (rawPath === '/__sim' || rawPath.startsWith('/__sim/')) {
      if (!isLoopbackAddress(req.socket.remoteAddress)) return writeJson(res, 403, { error: 'the control API answers loopback callers only' });
      const answer = handleControl(state, method, rawPath, body ?? '');
      return writeJson(res, answer.status, answer.body);
    }

    const match = matchRoute(method, rawPath);
    if (!match) {
      state.counter.count(`${method} *`);
      return writeAnswer(res, gatewayError(404, 'APIGW.0101', NOT_FOUND_MESSAGE, requestId));
    }
    state.counter.count(match.route.template);
    state.requestLog.add(method, rawPath, rawQuery, body);
    // A PUT /__sim/faults during this call must not change how it ends.
    const faults = state.faults;
    const arrivedAt = state.settings.rateLimitClock();
    const outcome = decide(state, faults, req, match, { rawPath, rawQuery, body, requestId, arrivedAt });
    state.arrivals.add(match.route.operation, arrivedAt, outcome.kind === 'answer' ? (outcome.malformed ? 200 : outcome.answer.status) : 0);
    if (outcome.kind === 'timeout') return; // hold the socket: the client gives up, or close() destroys it
    if (faults.latencyMs > 0 && faultsApplyTo(faults, match.route.operation)) await delay(faults.latencyMs);
    if (outcome.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const retryAfter = outcome.answer.status === 429 && faults.retryAfterSeconds !== undefined;
    writeAnswer(res, outcome.answer, { malformed: outcome.malformed, headers: retryAfter ? { 'Retry-After': String(faults.retryAfterSeconds) } : {} });
  };

  return {
    listener: (req, res) => {
      serve(req, res).catch((error: unknown) => {
        if (!state.settings.quiet) console.error('simulator: request failed', error);
        if (!res.headersSent && !res.destroyed) writeAnswer(res, gatewayError(500, 'APIGW.0601', 'Internal server error', String(res.getHeader('X-request-id'))));
      });
    },
    cancelTimers: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

// Authenticates, rate-limits, draws a fault, and runs the operation when nothing stopped the call.
function decide(
  state: SimulatorState,
  faults: FaultConfig,
  req: IncomingMessage,
  match: RouteMatch,
  raw: { rawPath: string; rawQuery: string; body: string | undefined; requestId: string; arrivedAt: number },
): Outcome {
  const answer = (a: ApiAnswer): Outcome => ({ kind: 'answer', answer: a });
  const auth = authenticate({ method: req.method ?? 'GET', rawPath: raw.rawPath, rawQuery: raw.rawQuery, headers: req.headers, body: raw.body ?? '' }, state.settings.auth, new Date());
  if (!auth.ok) return answer(gatewayError(401, auth.code, auth.message, raw.requestId));
  const operation = match.route.operation;
  const limit = faults.rateLimits[operation];
  if (!state.limiter.tryAcquire(auth.tenant, operation, limit, raw.arrivedAt)) {
    state.counter.throttled();
    return answer(gatewayError(429, 'APIGW.0308', throttlingMessage(limit), raw.requestId));
  }
  if (raw.body === undefined) return answer(badRequest(operation, `the request body must be at most ${MAX_BODY_BYTES} bytes`));
  const action = faultsApplyTo(faults, operation) ? drawFault(faults, state.faultRandom) : 'none';
  switch (action) {
    case 'timeout':
    case 'reset':
      return { kind: action };
    case 'error':
      return answer(injectedError(faults.errorStatus, raw.requestId, { code: faults.errorCode, message: faults.errorMessage }));
    case 'business':
      return answer(businessError(faults.businessErrorCode, faults.errorMessage ?? `Injected business error ${faults.businessErrorCode}.`));
    case 'malformed':
    case 'none': {
      const query = parseRawQuery(raw.rawQuery);
      const refused = refuseByAccount(operation, query, faults);
      if (refused) return { kind: 'answer', answer: refused, malformed: action === 'malformed' };
      const ctx: ApiContext = { store: state.store, quotas: state.quotas, now: state.settings.clock(), tenant: auth.tenant, transitionMs: state.settings.transitionMs };
      const result = runOperation(ctx, match, query, raw.body);
      return { kind: 'answer', answer: reshaped(operation, result, faults), malformed: action === 'malformed' };
    }
  }
}

// Applies the configured reshaping to a successful answer (a 200 without an `error` member).
function reshaped(operation: OperationName, answer: ApiAnswer, faults: FaultConfig): ApiAnswer {
  if (answer.status !== 200 || !reshapes(faults) || isErrorBody(answer.body)) return answer;
  return { status: 200, body: reshapeBody(operation, answer.body, faults) };
}

// Tells whether a 200 body is a business error.
function isErrorBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'error' in body;
}

// Runs the matched operation.
function runOperation(ctx: ApiContext, match: RouteMatch, query: RawQuery, body: string): ApiAnswer {
  switch (match.route.operation) {
    case 'url-tasks':
      return listUrlTasks(ctx, query);
    case 'historytasks':
      return listHistoryTasks(ctx, query);
    case 'detail':
      return showTaskDetail(ctx, match.id ?? '', query);
    case 'refresh':
      return createRefreshTask(ctx, body);
    case 'preheat':
      return createPreheatTask(ctx, body);
  }
}

// Reads the whole body as UTF-8; `undefined` when it is larger than the limit.
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined));
    // An aborted request never ends; its socket is gone, so nothing waits for this promise.
    req.on('error', () => undefined);
  });
}

// Writes an API answer; a malformed one is a 200 cut in the middle of its JSON.
function writeAnswer(res: ServerResponse, answer: ApiAnswer, options: { malformed?: boolean; headers?: Record<string, string> } = {}): void {
  const text = JSON.stringify(answer.body);
  if (options.malformed) writeText(res, 200, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
  else writeText(res, answer.status, text, options.headers);
}

// Writes a control API answer.
function writeJson(res: ServerResponse, status: number, body: unknown): void {
  writeText(res, status, JSON.stringify(body));
}

// Writes a JSON text unless the client is gone.
function writeText(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
