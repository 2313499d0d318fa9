/** Mutation payload models: what the create mutations return before their fields resolve. */

/** A created (or replayed) task: its id, and whether this call only repeated an earlier result. */
export interface CreatedTaskPayloadModel {
  readonly taskId: string;
  readonly replayed: boolean;
}
