/**
 * The Relay argument rules of every connection of the gateway (urlTasks, tasks, Task.urls),
 * with their messages: the same misuse gets the same BAD_USER_INPUT message whichever
 * connection it is sent to. Each message states the rule and the value that broke it.
 *
 * - `first`/`after` page forwards, `last`/`before` backwards. `first` with `last`, `after` with
 *   `before`, `after` with `last` and `before` with `first` are refused: the Relay spec allows
 *   the mixes, but each has several plausible meanings and Relay clients never send them.
 * - `first`/`last` are whole numbers from 0 to the page-size cap; without either a page holds
 *   the default page size (backwards when only `before` is given).
 * - A cursor comes back with the filter arguments of the page that issued it (`checkBinding`).
 */
import { badUserInput } from '../errors';

/** The Relay argument a cursor came in, named in error messages. */
export type CursorArgument = 'after' | 'before';

/** Relay arguments as GraphQL hands them over. */
export interface RelayArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

/** Page sizes of a connection. */
export interface PageSizes {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** Checked Relay arguments: the direction, the records wanted and the cursor, if any. */
export interface RelayRequest {
  readonly direction: 'forward' | 'backward';
  readonly count: number;
  readonly cursor?: { readonly argument: CursorArgument; readonly text: string };
}

/** Validates Relay arguments against the rules above; throws BAD_USER_INPUT naming the rule and value. */
export function checkRelayArgs(args: RelayArgs, sizes: PageSizes): RelayRequest {
  checkCounts(args, sizes.maxPageSize);
  checkCombinations(args);
  const backward = args.last != null || args.before != null;
  const count = (backward ? args.last : args.first) ?? sizes.defaultPageSize;
  const cursor = args.after != null ? { argument: 'after' as const, text: args.after } : args.before != null ? { argument: 'before' as const, text: args.before } : undefined;
  return { direction: backward ? 'backward' : 'forward', count, ...(cursor ? { cursor } : {}) };
}

/** Refuses a cursor whose filter binding is not the one the current arguments give. */
export function checkBinding(argument: CursorArgument, carried: string, expected: string): void {
  if (carried !== expected) {
    throw badUserInput(
      `${argument} cursor was issued for different filter arguments; pass the filter of the page that issued it, or start again without ${argument}`,
    );
  }
}

// first and last: whole numbers within the page-size cap.
function checkCounts(args: RelayArgs, maxPageSize: number): void {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value == null) continue;
    if (!Number.isInteger(value)) throw badUserInput(`${name} must be a whole number; got ${value}`);
    if (value < 0) throw badUserInput(`${name} must not be negative; got ${value}`);
    if (value > maxPageSize) throw badUserInput(`${name} must be at most ${maxPageSize}; got ${value}`);
  }
}

// One direction per request: first/after forwards, last/before backwards.
function checkCombinations(args: RelayArgs): void {
  const { first, last, after, before } = args;
  if (first != null && last != null) throw badUserInput(`first and last cannot be combined; pass one of them (got first ${first}, last ${last})`);
  if (after != null && before != null) throw badUserInput('after and before cannot be combined; page forwards with first/after or backwards with last/before');
  if (after != null && last != null) throw badUserInput(`after pages forwards: use it with first, not last (got last ${last})`);
  if (before != null && first != null) throw badUserInput(`before pages backwards: use it with last, not first (got first ${first})`);
}
