/**
 * Assembles a built page: nodes, edges with lazily signed cursors, page info and the window
 * totals seen. What a cursor remembers of its record's neighbours is decided here.
 */
import type { Built } from './build';
import type { Ctx } from './cut';
import type { PageRecord } from './knowledge';
import type { Edge } from './page-info';
import type { ConnectionPage } from './step';
import { encodeUrlTaskCursor, type UrlTaskCursor } from './url-task-cursor';

/**
 * Assembles the page: its nodes, edges with cursors, page info and the totals seen. A record
 * out of list order (window ascending, then id descending), or on the wrong side of the anchor,
 * can only come from a window changing between two rounds; it is dropped rather than shown twice.
 *
 * Nothing per record is computed before it is read: the edges are built when `edges` is first
 * read (a query of `nodes` never builds them), and a cursor (an HMAC) when it is first read.
 */
export function assemble<R extends PageRecord>(ctx: Ctx<R>, built: Built): ConnectionPage<R> {
  const { plan, known } = ctx;
  const anchor = plan.anchor;
  let previousW = anchor.kind === 'after' ? anchor.cursor.window : -1;
  let previousId = anchor.kind === 'after' ? anchor.cursor.id : Infinity;
  const limitW = anchor.kind === 'before' ? anchor.cursor.window : Infinity;
  const limitId = anchor.kind === 'before' ? anchor.cursor.id : -Infinity;
  const nodes: R[] = [];
  // Where each node sits (window, offset), for its cursor: two lists of numbers, no object per record.
  const windows: number[] = [];
  const offsets: number[] = [];
  for (const { w, from, to } of built.spans) {
    for (let o = from; o < to; o++) {
      const node = known.record(w, o);
      if (!node || !listedBefore(previousW, previousId, w, node.id) || !listedBefore(w, node.id, limitW, limitId)) continue;
      nodes.push(node);
      windows.push(w);
      offsets.push(o);
      previousW = w;
      previousId = node.id;
    }
  }
  const cursors = new PageCursors(ctx, nodes, windows, offsets);
  let edges: Array<Edge<R>> | undefined;
  return {
    nodes,
    get edges() {
      return (edges ??= nodes.map((node, i) => new PageEdge(node, i, cursors)));
    },
    pageInfo: {
      hasNextPage: built.hasNextPage,
      hasPreviousPage: built.hasPreviousPage,
      get startCursor() {
        return nodes.length > 0 ? cursors.at(0) : null;
      },
      get endCursor() {
        return nodes.length > 0 ? cursors.at(nodes.length - 1) : null;
      },
    },
    windowTotals: plan.windows.map((window, i) => ({ window, total: known.total(i) ?? null })),
  };
}

// The cursors of a page's records, each signed when first read and then remembered.
class PageCursors<R extends PageRecord> {
  private readonly signed: Array<string | undefined> = [];

  constructor(
    private readonly ctx: Ctx<R>,
    private readonly nodes: readonly R[],
    private readonly windows: readonly number[],
    private readonly offsets: readonly number[],
  ) {}

  // The cursor of the i-th record of the page.
  at(i: number): string {
    return (this.signed[i] ??= encodeUrlTaskCursor(cursorFor(this.ctx, this.windows[i] as number, this.offsets[i] as number, this.nodes[i] as R), this.ctx.plan.cursorSecret));
  }
}

// An edge of a page: its cursor is computed when first read (a prototype getter, no closure per edge).
class PageEdge<R extends PageRecord> implements Edge<R> {
  constructor(
    readonly node: R,
    private readonly index: number,
    private readonly cursors: PageCursors<R>,
  ) {}

  get cursor(): string {
    return this.cursors.at(this.index);
  }
}

// List order: windows newest first, then ids descending. Ids only order records of one window:
// a record created late with an early create_time has a large id in an old window.
function listedBefore(aW: number, aId: number, bW: number, bId: number): boolean {
  return aW < bW || (aW === bW && aId > bId);
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
