/**
 * The upstream pipeline's types: a request passes through small stages (coalesce, cache,
 * retry, rate limit, sign, ...) to classification and the transport. Each stage is
 * `next => handler`; the one ordered list is in src/cdn/upstream.ts (docs/architecture.md,
 * Upstream pipeline), so new behaviour is a new stage and endpoints never change.
 */
import type { QueryParams } from './signer';
import type { OperationName } from './models';

/** A request to the CDN API before signing. */
export interface UpstreamRequest {
  readonly operation: OperationName;
  readonly method: 'GET' | 'POST';
  /** Decoded path, e.g. `/v1.0/cdn/historytasks/123/detail`. */
  readonly path: string;
  readonly query?: QueryParams;
  /** JSON text for POSTs. */
  readonly body?: string;
  /** Absolute deadline (epoch ms) for the whole call, retries and queueing included. */
  readonly deadline: number;
  /** Cancels the call (the GraphQL request ended or the deadline passed). */
  readonly signal?: AbortSignal;
  /** The gateway request id, sent upstream as `X-Request-Id` for correlation. */
  readonly requestId?: string;
  /**
   * Who the call is made for (an API key id, a JWT subject, or the client address without caller
   * authentication): the rate limiter shares quota between callers in turn (docs/architecture.md, Fairness).
   */
  readonly caller?: string;
  /** Names the gateway request the call belongs to (unique per request, unlike `requestId`, which a client may choose): the limiter bounds each request's queued attempts. */
  readonly requestTag?: string;
  /**
   * The generation of cached answers the call belongs to, stamped by src/cdn/stages/generation.ts on
   * calls whose answers a create can change (lists): part of the call's coalescing and cache key, so
   * that calls made after a create neither join calls nor reuse answers from before it. `cacheable`
   * is false when the shared generation could not be read: the call then bypasses the cache.
   */
  readonly generation?: { readonly value: string; readonly cacheable: boolean };
  /** Headers added by stages (signing); names lower case. */
  readonly headers?: Readonly<Record<string, string>>;
  /** 1-based attempt number, set by the retry stage (for events and logs). */
  readonly attempt?: number;
  /** Called by the transport as it sends an attempt (see `CallOptions.onSend`). */
  readonly onSend?: () => void;
}

/** A complete upstream response as the transport read it: the body is always fully read. */
export interface RawResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The upstream's `X-request-id`, when sent. */
  readonly requestId?: string;
}

/**
 * A classified success: a 2xx whose body is JSON without an error shape. Classification
 * happens once, right above the transport; every stage above it sees only these.
 */
export interface UpstreamResponse extends RawResponse {
  /** The parsed body. */
  readonly json: unknown;
}

/** Sends a request and resolves with the complete, unclassified response (the transport). */
export type RawHandler = (req: UpstreamRequest) => Promise<RawResponse>;

/** Sends a request and resolves with a classified success; failures are thrown as catalogue errors. */
export type Handler = (req: UpstreamRequest) => Promise<UpstreamResponse>;

/** Wraps a handler with one behaviour. */
export type Stage = (next: Handler) => Handler;

/** Composes stages around a terminal handler; the first stage is the outermost. */
export function composeStages(stages: readonly Stage[], terminal: Handler): Handler {
  return stages.reduceRight<Handler>((next, stage) => stage(next), terminal);
}
