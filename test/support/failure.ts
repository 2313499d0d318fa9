/** Awaiting a call that must fail with a catalogue error. */
import { GatewayError } from '../../src/errors';

/** Returns the `GatewayError` a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    return e as GatewayError;
  }
  throw new Error('expected a failure');
}
