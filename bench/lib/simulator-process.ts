/**
 * The bench's upstream, run as its own process: the simulator with every rate limit off and
 * no faults, its data clock frozen at `BENCH_SIM_NOW` so the data set and the statuses stay
 * the same for the whole run. With `BENCH_SIM_RATE_LIMITS=huawei` it enforces Huawei's rate
 * limits instead (the simulator's defaults, the gateway's too), as the fairness phase needs.
 *
 * `PORT=… BENCH_SIM_NOW=<epoch ms> [BENCH_SIM_RATE_LIMITS=huawei] node --import tsx bench/lib/simulator-process.ts`
 */
import { OPERATION_NAMES } from '../../src/cdn/operations';
import { createSimulator } from '../../src/simulator/index';

const now = Number(process.env.BENCH_SIM_NOW);
if (!Number.isSafeInteger(now) || now <= 0) throw new Error(`BENCH_SIM_NOW must be an epoch-ms time; got ${JSON.stringify(process.env.BENCH_SIM_NOW)}`);
const limits = process.env.BENCH_SIM_RATE_LIMITS ?? 'off';
if (limits !== 'off' && limits !== 'huawei') throw new Error(`BENCH_SIM_RATE_LIMITS must be off or huawei; got ${JSON.stringify(limits)}`);

createSimulator({
  port: Number(process.env.PORT ?? 0),
  quiet: true,
  now: () => now,
  ...(limits === 'off' ? { rateLimits: Object.fromEntries(OPERATION_NAMES.map((op) => [op, 0])) } : {}),
})
  .then((s) => process.stdout.write(`bench simulator at ${s.url}\n`))
  .catch((err: unknown) => {
    process.stderr.write(`bench simulator failed to start: ${String(err)}\n`);
    process.exit(1);
  });
