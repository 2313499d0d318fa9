/**
 * `npm run check-upstream` as a function: settings from the environment, a bare client of the
 * project (the gateway's signing, classification and redaction; one attempt per call, no
 * cache) wrapped by the recorder, the calls, and the report with credentials redacted.
 */
import { createRedactor } from '../cdn/redact';
import { createCdnClient } from '../cdn/upstream';
import { CALL_BUDGET, runCalls } from './calls';
import { createRecorder } from './recorder';
import { EXIT, renderReport, type Report } from './report';
import { readCheckSettings } from './settings';

/** Options of `checkUpstream`, for tests. */
export interface CheckOptions {
  /** The clock the 24-hour window is measured from. @default Date.now */
  readonly now?: () => number;
}

/** Runs the read-only check against the configured upstream and returns its report and exit status. */
export async function checkUpstream(env: Readonly<Record<string, string | undefined>>, options: CheckOptions = {}): Promise<Report> {
  const read = readCheckSettings(env);
  if (!read.ok) {
    const problems = read.problems;
    return {
      text: `check-upstream: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee the README, "Checking your account".\n`,
      exitCode: EXIT.CONFIG,
    };
  }
  const settings = read.settings;
  const now = options.now ?? Date.now;
  const recorder = createRecorder(CALL_BUDGET);
  const client = createCdnClient({
    endpoint: settings.endpoint,
    auth: settings.auth,
    connections: 1,
    timeoutMs: settings.timeoutMs,
    retry: { maxAttempts: 1 },
    now,
    wrapTransport: recorder.wrap,
  });
  try {
    const records = await runCalls(client, recorder, settings, now());
    const report = renderReport(
      { endpoint: settings.endpoint, auth: settings.auth.kind, enterpriseProjectId: settings.enterpriseProjectId, budget: CALL_BUDGET },
      records,
    );
    return { ...report, text: createRedactor(settings.secrets)(report.text) };
  } finally {
    await client.close();
  }
}
