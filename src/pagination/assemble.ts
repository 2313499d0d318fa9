/**
 * Assembles a built page: edges with lazily signed cursors, page info and the window totals
 * seen. What a cursor remembers of its record's neighbours is decided here.
 */
import type { Built } from './build';
import type { Ctx } from './cut';
import type { PageRecord } from './knowledge';
import type { Edge } from './page-info';
import type { ConnectionPage } from './step';
import { encodeUrlTaskCursor, type UrlTaskCursor } from './url-task-cursor';

/**
 * Assembles the page: edges with cursors, page info and the totals seen. A record out of list
 * order (window ascending, then id descending), or on the wrong side of the anchor, can only
 * come from a window changing between two rounds; it is dropped rather than shown twice.
 */
export function assemble<R extends PageRecord>(ctx: Ctx<R>, built: Built): ConnectionPage<R> {
  const { plan, known } = ctx;
  const anchor = plan.anchor;
  let previous = anchor.kind === 'after' ? { w: anchor.cursor.window, id: anchor.cursor.id } : { w: -1, id: Infinity };
  const limit = anchor.kind === 'before' ? { w: anchor.cursor.window, id: anchor.cursor.id } : { w: Infinity, id: -Infinity };
  const edges: Array<Edge<R>> = [];
  for (const { w, o } of built.slots) {
    const node = known.record(w, o);
    if (!node || !listedBefore(previous, { w, id: node.id }) || !listedBefore({ w, id: node.id }, limit)) continue;
    edges.push(lazyEdge(node, () => encodeUrlTaskCursor(cursorFor(ctx, w, o, node), plan.cursorSecret)));
    previous = { w, id: node.id };
  }
  return {
    edges,
    pageInfo: {
      hasNextPage: built.hasNextPage,
      hasPreviousPage: built.hasPreviousPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
    windowTotals: plan.windows.map((window, i) => ({ window, total: known.total(i) ?? null })),
  };
}

// An edge whose cursor (an HMAC) is computed when first read: a query that selects no cursor,
// such as a page of `nodes`, would otherwise sign one per record for nothing.
function lazyEdge<R>(node: R, encode: () => string): Edge<R> {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      return (cursor ??= encode());
    },
  };
}

// List order: windows newest first, then ids descending. Ids only order records of one window:
// a record created late with an early create_time has a large id in an old window.
function listedBefore(a: { w: number; id: number }, b: { w: number; id: number }): boolean {
  return a.w < b.w || (a.w === b.w && a.id > b.id);
}

// A record's cursor, with the neighbours this request saw next to it.
function cursorFor<R extends PageRecord>(ctx: Ctx<R>, w: number, o: number, node: R): UrlTaskCursor {
  const { known, plan } = ctx;
  const total = known.total(w);
  const next = known.record(w, o + 1);
  const prev = o > 0 ? known.record(w, o - 1) : undefined;
  const nextId = total !== undefined && o + 1 >= total ? 'window-end' : next && next.id < node.id ? next.id : undefined;
  return {
    binding: plan.binding,
    rangeEnd: plan.range.end,
    window: w,
    offset: o,
    id: node.id,
    createTime: node.createTime,
    ...(nextId === undefined ? {} : { nextId }),
    ...(prev && prev.id > node.id ? { prevId: prev.id } : {}),
  };
}
