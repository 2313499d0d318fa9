/**
 * `npm run check-upstream`: a read-only check of the configured Huawei Cloud account (or a
 * simulator at CDN_ENDPOINT) against the SDK contract; at most 5 GET calls, never a create.
 * Exits 0 matched, 1 mismatch, 2 configuration problem, 3 refused by the upstream (README, Checking your account).
 */
import { checkUpstream } from '../src/check/run';

checkUpstream(process.env)
  .then((report) => {
    (report.exitCode === 2 ? process.stderr : process.stdout).write(report.text);
    process.exitCode = report.exitCode;
  })
  .catch((err: unknown) => {
    process.stderr.write(`check-upstream failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
