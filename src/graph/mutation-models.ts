/** Mutation payload models: what the create mutations return before their fields resolve. */

/** A created (or replayed) task: its id, when it was created, and whether this call only repeated an earlier result. */
export interface CreatedTaskPayloadModel {
  readonly taskId: string;
  /** Epoch ms around the creation, a hint that lets the detail call find the task. */
  readonly createdAround: number;
  readonly replayed: boolean;
}
