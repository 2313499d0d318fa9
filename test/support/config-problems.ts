/** Reads the problems a configuration refuses, for config tests. */
import { ConfigError, loadConfig } from '../../src/config';

/** A fixed cursor secret, so configurations compare equal. */
export const fixedSecret = (): string => 'fixed-secret';

/** Returns the problems `loadConfig` lists for `env`; fails when it accepts it. */
export function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, fixedSecret);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
