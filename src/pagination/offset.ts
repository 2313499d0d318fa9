/**
 * Relay connections over plain offsets (task lists and a task's URLs), in the manner of
 * graphql-relay's `connectionFromArraySlice`: pure arithmetic, no I/O. Cursors are signed
 * tokens that carry the offset and are bound to the connection's filter.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput } from '../errors';

/** Relay arguments as GraphQL hands them over. */
export interface RelayArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

/** What an offset cursor holds. */
export interface OffsetCursor {
  /** The connection's kind and filter fingerprint; a cursor only works where it was issued. */
  readonly scope: string;
  readonly offset: number;
  /** A frozen range end (epoch ms) carried from the first page, when the connection has one. */
  readonly frozenEnd?: number;
}

/** The slice of the list a page needs, before the total is known when `last` has no `before`. */
export type OffsetRequest =
  | { readonly kind: 'forward'; readonly start: number; readonly count: number }
  | { readonly kind: 'backward'; readonly end: number | 'total'; readonly count: number };

/** Settings of page sizes. */
export interface PageSizeSettings {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** Validates Relay arguments against the page-size rules; returns the size and direction. */
export function checkRelayArgs(args: RelayArgs, sizes: PageSizeSettings): { direction: 'forward' | 'backward'; count: number } {
  const { first, last, after, before } = args;
  if (first != null && last != null) throw badUserInput('Pass either first or last, not both');
  if (first != null && before != null) throw badUserInput('before pages backwards: use it with last, not first');
  if (last != null && after != null) throw badUserInput('after pages forwards: use it with first, not last');
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value == null) continue;
    if (value < 0) throw badUserInput(`${name} must not be negative; got ${value}`);
    if (value > sizes.maxPageSize) throw badUserInput(`${name} must be at most ${sizes.maxPageSize}; got ${value}`);
  }
  const backward = last != null || before != null;
  return { direction: backward ? 'backward' : 'forward', count: (backward ? last : first) ?? sizes.defaultPageSize };
}

/** Turns Relay arguments into the slice to fetch, decoding cursors for `scope`. */
export function toOffsetRequest(args: RelayArgs, sizes: PageSizeSettings, scope: string, secret: string): OffsetRequest {
  const { direction, count } = checkRelayArgs(args, sizes);
  if (direction === 'forward') {
    const after = args.after == null ? undefined : decodeOffsetCursor(args.after, scope, secret, 'after');
    return { kind: 'forward', start: after ? after.offset + 1 : 0, count };
  }
  const before = args.before == null ? undefined : decodeOffsetCursor(args.before, scope, secret, 'before');
  return { kind: 'backward', end: before ? before.offset : 'total', count };
}

/** Resolves a request against the list's total: the half-open offset range `[start, end)`. */
export function toOffsetRange(request: OffsetRequest, total: number): { start: number; end: number } {
  if (request.kind === 'forward') {
    const start = Math.min(request.start, total);
    return { start, end: Math.min(total, start + request.count) };
  }
  const end = Math.min(request.end === 'total' ? total : request.end, total);
  return { start: Math.max(0, end - request.count), end };
}

/** Builds a connection from the items at `[start, start + items.length)` of a list of `total` items. */
export function connectionFromOffsetSlice<T>(
  items: readonly T[],
  start: number,
  total: number,
  cursorAt: (offset: number) => string,
): { edges: Array<{ cursor: string; node: T }>; nodes: T[]; pageInfo: PageInfoModel; totalCount: number } {
  const edges = items.map((node, i) => ({ cursor: cursorAt(start + i), node }));
  return {
    edges,
    nodes: [...items],
    pageInfo: {
      hasPreviousPage: start > 0,
      hasNextPage: start + items.length < total,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: total,
  };
}

/** Relay page information. */
export interface PageInfoModel {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** The largest page number the upstream accepts (historytasks' `page_number` is 1–65535). */
export const MAX_PAGE_NUMBER = 65535;

/**
 * Chooses the upstream page (size and 1-based number) that covers `[start, end)` in one call:
 * the smallest page size whose page holds the whole range, up to `maxPageSize`; otherwise
 * consecutive pages of `end - start`. Page numbers stay within `maxPageNumber` (pages grow at
 * deep offsets) whenever `maxPageSize * maxPageNumber` reaches `end`.
 */
export function pagesCovering(
  start: number,
  end: number,
  maxPageSize: number,
  maxPageNumber: number = MAX_PAGE_NUMBER,
): { pageSize: number; pageNumbers: number[] } {
  const count = Math.max(1, end - start);
  // Deep offsets need pages at least this large, or their numbers pass the upstream's range.
  const smallest = Math.max(count, Math.ceil(end / maxPageNumber));
  for (let size = smallest; size <= Math.min(maxPageSize, end); size++) {
    if (Math.floor(start / size) === Math.floor((end - 1) / size)) return { pageSize: size, pageNumbers: [Math.floor(start / size) + 1] };
  }
  const size = Math.min(smallest, maxPageSize);
  const first = Math.floor(start / size);
  const last = Math.floor((end - 1) / size);
  return { pageSize: size, pageNumbers: Array.from({ length: last - first + 1 }, (_, i) => first + i + 1) };
}

/** Returns the items of `[start, end)` from pages fetched as `pagesCovering` said. */
export function sliceFromPages<T>(pages: ReadonlyArray<readonly T[]>, pageSize: number, firstPageNumber: number, start: number, end: number): T[] {
  const flat = pages.flat();
  const offsetOfFlat = (firstPageNumber - 1) * pageSize;
  return flat.slice(start - offsetOfFlat, end - offsetOfFlat);
}

/** Encodes an offset cursor, signed with `secret`. */
export function encodeOffsetCursor(cursor: OffsetCursor, secret: string): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, s: cursor.scope, o: cursor.offset, e: cursor.frozenEnd }), 'utf8').toString('base64url');
  return `o1.${payload}.${sign(payload, secret)}`;
}

/** Decodes an offset cursor issued for `scope`; a malformed, tampered or foreign one is BAD_USER_INPUT. */
export function decodeOffsetCursor(value: string, scope: string, secret: string, argName: string): OffsetCursor {
  const parts = value.split('.');
  if (parts.length !== 3 || parts[0] !== 'o1' || !parts[1] || !parts[2]) {
    throw badUserInput(`${argName} is not a cursor of this connection (malformed): ${JSON.stringify(value.slice(0, 40))}`);
  }
  const expected = Buffer.from(sign(parts[1], secret), 'base64url');
  const given = Buffer.from(parts[2], 'base64url');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw badUserInput(`${argName} cursor was altered or issued by another gateway (signature check failed)`);
  }
  let decoded: { v?: unknown; s?: unknown; o?: unknown; e?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof decoded;
  } catch {
    throw badUserInput(`${argName} cursor is malformed`);
  }
  if (decoded.s !== scope) throw badUserInput(`${argName} cursor was issued for a different connection or different filter arguments`);
  if (typeof decoded.o !== 'number' || !Number.isSafeInteger(decoded.o) || decoded.o < 0) throw badUserInput(`${argName} cursor is malformed`);
  return { scope, offset: decoded.o, ...(typeof decoded.e === 'number' ? { frozenEnd: decoded.e } : {}) };
}

/** Fingerprints a connection's identity and filter into a short, stable scope string. */
export function toScope(kind: string, filter: unknown): string {
  return `${kind}:${createHmac('sha256', 'scope').update(stableStringify(filter)).digest('base64url').slice(0, 12)}`;
}

// JSON with sorted keys and undefined/null fields dropped, so equal filters fingerprint equally.
function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

// A short HMAC of a cursor payload.
function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
}
