/** Connection models: what connection resolvers return before their fields resolve. */
import type { TaskModel, UrlTaskModel } from '../cdn/models';
import type { Edge, PageInfo } from '../pagination';

/** A Relay connection whose `totalCount` may be computed only when asked for. */
export interface ConnectionModel<T> {
  readonly edges: ReadonlyArray<Edge<T>>;
  readonly nodes: readonly T[];
  readonly pageInfo: PageInfo;
  /** The total, or a function computing it (called only when the field is selected). */
  readonly totalCount: number | (() => Promise<number>);
}

/** A connection of URL records. */
export type UrlTaskConnectionModel = ConnectionModel<UrlTaskModel>;
/** A connection of tasks. */
export type TaskConnectionModel = ConnectionModel<TaskModel>;
