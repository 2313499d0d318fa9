/** Calls a simulator over loopback as the gateway would: CDN API calls signed with the project's signer, control calls unsigned. */
import { request } from 'undici';
import { canonicalQuery, signRequest, type AkSkCredentials, type QueryParams } from '../../src/cdn/signer';
import { DEFAULT_SIMULATOR_AK, DEFAULT_SIMULATOR_SK, type Simulator } from '../../src/simulator';

/** The simulator's default credentials. */
export const CREDS: AkSkCredentials = { ak: DEFAULT_SIMULATOR_AK, sk: DEFAULT_SIMULATOR_SK };
/** A request id: 32 hex characters. */
export const HEX32 = /^[0-9a-f]{32}$/;

/** An answer, its body parsed when it is JSON. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are inspected field by field
  readonly json: any;
}

/** How to make one CDN API call. */
export interface CallOptions {
  readonly query?: QueryParams;
  readonly body?: unknown;
  readonly creds?: AkSkCredentials;
  readonly date?: Date;
  /** Sent unsigned instead of an AK/SK signature. */
  readonly token?: string;
  /** Gives up on the answer after this many milliseconds. */
  readonly timeoutMs?: number;
}

/** Calls the CDN API of a simulator, signed with AK/SK unless a token is given. */
export async function api(sim: Simulator, method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<Reply> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const host = new URL(sim.url).host;
  let target: string;
  let headers: Record<string, string>;
  if (options.token !== undefined) {
    const query = canonicalQuery(options.query);
    target = path + (query ? `?${query}` : '');
    headers = { 'x-auth-token': options.token };
  } else {
    const signed = signRequest({ method, host, path, query: options.query, body, headers: body ? { 'content-type': 'application/json' } : {} }, options.creds ?? CREDS, options.date);
    target = signed.pathAndQuery;
    headers = signed.headers;
  }
  return send(sim, method, target, headers, body, options.timeoutMs);
}

/** Sends a raw request and reads the whole answer. */
export async function send(sim: Simulator, method: string, target: string, headers: Record<string, string>, body?: string, timeoutMs?: number): Promise<Reply> {
  const res = await request(sim.url + target, { method: method as 'GET', headers, body, ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}) });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** Calls the control API. */
export async function control(sim: Simulator, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Reply> {
  return send(sim, method, path, { 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
}

/** Expects an API Gateway error body whose request_id is the X-request-id header. */
export function expectGatewayError(reply: Reply, status: number, code: string, message?: string): void {
  expect(reply.status).toBe(status);
  expect(Object.keys(reply.json).sort()).toEqual(['error_code', 'error_msg', 'request_id']);
  expect(reply.json.error_code).toBe(code);
  if (message !== undefined) expect(reply.json.error_msg).toBe(message);
  expect(reply.json.request_id).toMatch(HEX32);
  expect(reply.headers['x-request-id']).toBe(reply.json.request_id);
}

/** Expects a CDN service error in the ErrRsp shape `{"error": {error_code, error_msg}}` and nothing else. */
export function expectCdnError(reply: Reply, status: number, code: string, message?: string): void {
  expect(reply.status).toBe(status);
  expect(reply.json).toEqual({ error: { error_code: code, error_msg: message ?? expect.any(String) } });
  expect(reply.headers['x-request-id']).toMatch(HEX32);
}
