/**
 * The check's report: each call (operation, HTTP status, upstream request id), what matched
 * the SDK contract and what did not, a summary line, and the exit status it implies.
 */
import { describeFinding } from '../cdn/contract-check';
import type { CallRecord } from './calls';

/** Exit statuses of `npm run check-upstream`. */
export const EXIT = {
  /** Every answer matched the contract. */
  MATCHED: 0,
  /** An answer broke the contract (or the gateway's client could not read it). */
  MISMATCH: 1,
  /** The configuration is invalid or names no upstream. */
  CONFIG: 2,
  /** No mismatch, but the upstream refused a call (or did not answer), so the check is incomplete. */
  REFUSED: 3,
} as const;

/** What the report says about the run: where it called, how it authenticated. */
export interface ReportHeader {
  readonly endpoint: string;
  readonly auth: 'aksk' | 'token';
  readonly enterpriseProjectId?: string;
  readonly budget: number;
}

/** The report's text and the exit status it implies. */
export interface Report {
  readonly text: string;
  readonly exitCode: number;
}

/** Renders the report of a run's calls. */
export function renderReport(header: ReportHeader, records: readonly CallRecord[]): Report {
  const lines = [
    `check-upstream: ${header.endpoint} (${header.auth === 'aksk' ? 'AK/SK signing' : 'IAM token'}; enterprise project: ${header.enterpriseProjectId ?? 'not set'})`,
    `Read-only, at most ${header.budget} calls; answers checked against the SDK contract (src/cdn/contract.ts, docs/upstream.md).`,
    '',
  ];
  records.forEach((r, i) => lines.push(...renderCall(i + 1, r)));
  const counts = tally(records);
  const exitCode = counts.mismatches > 0 ? EXIT.MISMATCH : counts.refused > 0 ? EXIT.REFUSED : EXIT.MATCHED;
  const verdict = exitCode === EXIT.MISMATCH ? 'MISMATCH' : exitCode === EXIT.REFUSED ? 'INCOMPLETE (refused)' : 'MATCHED';
  lines.push(
    '',
    `Summary: ${verdict}: ${counts.sent} call${counts.sent === 1 ? '' : 's'}, ${counts.checked} answer${counts.checked === 1 ? '' : 's'} checked, ` +
      `${counts.matched} field${counts.matched === 1 ? '' : 's'} matched, ${counts.mismatches} mismatch${counts.mismatches === 1 ? '' : 'es'}, ${counts.refused} refused (exit ${exitCode}).`,
  );
  return { text: `${lines.join('\n')}\n`, exitCode };
}

// The lines of one call.
function renderCall(n: number, r: CallRecord): string[] {
  const out = [`${n}. ${r.operation}: ${r.purpose}`];
  if (r.path !== undefined) out.push(`   GET ${r.path}${queryText(r)}`);
  if (r.status !== undefined) out.push(`   HTTP ${r.status}, upstream request id ${r.requestId ?? '(none sent)'}`);
  for (const level of r.levels ?? []) {
    if (level.matched.length > 0) out.push(`   matched   ${level.where}: ${level.matched.join(', ')}`);
    if (level.absent.length > 0) out.push(`   absent    ${level.where}: ${level.absent.join(', ')} (optional in the SDK: fine)`);
    for (const finding of level.findings) out.push(`   MISMATCH  ${describeFinding(finding)}`);
  }
  if (r.levels && r.levels.length === 1 && r.operation !== 'detail') out.push('   note      no record in this answer: record fields not checked');
  if (r.clientError) out.push(`   MISMATCH  the gateway's client could not read this answer: ${r.clientError}`);
  if (r.refusal) {
    const said = [r.refusal.code, r.refusal.message === undefined ? undefined : JSON.stringify(r.refusal.message)].filter(Boolean).join(' ');
    out.push(`   REFUSED   ${r.refusal.status === 0 ? 'no answer' : `HTTP ${r.refusal.status}`}${said ? ` ${said}` : ''}`, `   hint      ${r.refusal.hint}`);
  }
  if (r.note) out.push(`   note      ${r.note}`);
  return out;
}

// The query as sent, in a stable order.
function queryText(r: CallRecord): string {
  const entries = Object.entries(r.query ?? {}).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? '' : `?${entries.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join('&')}`;
}

// Counts for the summary line.
function tally(records: readonly CallRecord[]): { sent: number; checked: number; matched: number; mismatches: number; refused: number } {
  let matched = 0;
  let mismatches = 0;
  for (const r of records) {
    for (const level of r.levels ?? []) {
      matched += level.matched.length;
      mismatches += level.findings.length;
    }
    if (r.clientError) mismatches += 1;
  }
  return {
    sent: records.filter((r) => r.path !== undefined).length,
    checked: records.filter((r) => r.levels).length,
    matched,
    mismatches,
    refused: records.filter((r) => r.refusal).length,
  };
}
