/** The Relay page model every connection of the gateway returns (GraphQL `PageInfo`, edges). */

/** Relay page information. */
export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** One edge of a page. */
export interface Edge<R> {
  readonly node: R;
  readonly cursor: string;
}
