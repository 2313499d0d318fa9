/**
 * Relay connections over plain offsets (task lists and a task's URLs), in the manner of
 * graphql-relay's `connectionFromArraySlice`: pure arithmetic, no I/O. Arguments follow the
 * shared rules (args.ts); cursors carry the offset (offset-cursor.ts).
 */
import { checkRelayArgs, type PageSizes, type RelayArgs } from './args';
import { decodeOffsetCursor, type OffsetScope } from './offset-cursor';
import type { Edge, PageInfo } from './page-info';

/** The slice of the list a page needs, before the total is known when `last` has no `before`. */
export type OffsetRequest = (
  | { readonly kind: 'forward'; readonly start: number; readonly count: number }
  | { readonly kind: 'backward'; readonly end: number | 'total'; readonly count: number }
) & {
  /** The range end the first page froze, carried by the cursor when the connection has one. */
  readonly frozenEnd?: number;
};

/**
 * Turns Relay arguments into the slice to fetch, checking them by the shared rules (args.ts)
 * and decoding a cursor of the list `scope` names; also returns the cursor's frozen end.
 */
export function toOffsetRequest(args: RelayArgs, sizes: PageSizes, scope: OffsetScope): OffsetRequest {
  const { direction, count, cursor } = checkRelayArgs(args, sizes);
  const decoded = cursor ? decodeOffsetCursor(cursor.text, scope, cursor.argument) : undefined;
  const frozen = decoded?.frozenEnd === undefined ? {} : { frozenEnd: decoded.frozenEnd };
  if (direction === 'forward') return { kind: 'forward', start: decoded ? decoded.offset + 1 : 0, count, ...frozen };
  return { kind: 'backward', end: decoded ? decoded.offset : 'total', count, ...frozen };
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
): { edges: Array<Edge<T>>; nodes: T[]; pageInfo: PageInfo; totalCount: number } {
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
