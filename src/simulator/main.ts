/**
 * `npm run simulator`: starts the CDN API simulator from the environment (SIMULATOR_PORT,
 * SIMULATOR_HOST, SIMULATOR_AK, SIMULATOR_SK, SIMULATOR_SEED, SIMULATOR_RECORDS), prints
 * where it listens and which AK to sign with, and closes on SIGINT/SIGTERM.
 */
import { createSimulator, DEFAULT_SIMULATOR_AK } from './index';

// Reads an integer variable, exiting with a message that states the rule when it is not one.
function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    console.error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const ak = process.env.SIMULATOR_AK || DEFAULT_SIMULATOR_AK;
  const simulator = await createSimulator({
    port: intFromEnv('SIMULATOR_PORT', 9100),
    host: process.env.SIMULATOR_HOST || '127.0.0.1',
    ak,
    ...(process.env.SIMULATOR_SK ? { sk: process.env.SIMULATOR_SK } : {}),
    seed: intFromEnv('SIMULATOR_SEED', 1),
    records: intFromEnv('SIMULATOR_RECORDS', 40_000),
  });
  console.log(`CDN API simulator listening on ${simulator.url} (sign with AK ${ak}; control API at ${simulator.url}/__sim/stats)`);
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('simulator: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
