/** Connection models returned by connection resolvers before field resolution. */
export interface UrlTaskConnectionModel {
  readonly kind: 'url-tasks';
}
/** A task connection before field resolution. */
export interface TaskConnectionModel {
  readonly kind: 'tasks';
}
