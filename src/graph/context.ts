/** Per-request context handed to every resolver. */
export interface GraphContext {
  readonly requestId: string;
}
