/**
 * `npm run soak`: mixed load on the gateway (in a child process) with about 10 % injected
 * retryable faults, then the figures and the targets of issue 7. Settings (environment):
 * SOAK_SECONDS (300), SOAK_WARMUP_SECONDS (min(60, a fifth)), SOAK_RPS (100),
 * SOAK_CONCURRENCY (64), SOAK_FAULT_RATE (0.1), SOAK_RECORDS (40000), SOAK_JSON (a file to
 * write the report to). Exits 1 when a target is missed.
 */
import { writeFileSync } from 'node:fs';
import { checkTargets, formatReport, runSoak, TARGETS } from './soak/run';

// Reads a positive number from the environment, or the default; refuses anything else.
function setting(name: string, fallback: number | undefined): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`${name} must be a positive number; got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const seconds = setting('SOAK_SECONDS', 300) ?? 300;
  const options = {
    seconds,
    warmupSeconds: setting('SOAK_WARMUP_SECONDS', undefined),
    rps: setting('SOAK_RPS', 100),
    concurrency: setting('SOAK_CONCURRENCY', 64),
    faultRate: setting('SOAK_FAULT_RATE', 0.1),
    records: setting('SOAK_RECORDS', 40_000),
  };
  process.stdout.write(`Soaking the gateway for ${seconds} s at ${options.rps} req/s with ${(options.faultRate ?? 0.1) * 100} % injected retryable faults...\n`);
  const report = await runSoak({ ...options, onProgress: (line) => process.stdout.write(`  ${line}\n`) });
  process.stdout.write(`${formatReport(report)}\n`);
  if (process.env.SOAK_JSON) writeFileSync(process.env.SOAK_JSON, `${JSON.stringify(report, null, 2)}\n`);
  const missed = checkTargets(report);
  if (missed.length === 0) {
    process.stdout.write(`Targets met: success rate ≥ ${TARGETS.successRate * 100} %, RSS and retained-heap growth < ${TARGETS.rssGrowthPct} %, event-loop delay p99 < ${TARGETS.lagP99Ms} ms, no handle left behind.\n`);
  } else {
    process.stdout.write(`Targets missed:\n${missed.map((m) => `  - ${m}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
