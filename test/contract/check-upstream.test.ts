/**
 * `npm run check-upstream` against the simulator over loopback: in-process through
 * `checkUpstream`, and once as the real script in a child process. It matches the contract on
 * a healthy account, stays within 5 GET calls, reports unknown enum values as mismatches,
 * refusals with their advice, and never prints the secret key.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LoggedRequest } from '../../src/simulator/request-log';
import { createSimulator, type Simulator } from '../../src/simulator';
import { checkUpstream } from '../../src/check/run';
import { checkBody, describeFinding } from '../../src/cdn/contract-check';
import { callSimulator } from '../support/sim-control';
import { receivedRequests } from './support/sim-requests';

const AK = 'CHECKUPSTREAMAK00001';
const SK = 'CheckUpstreamSecretKey000000000000000001';
const DAY = 86_400_000;
const UNLIMITED = { 'url-tasks': 0, historytasks: 0, detail: 0, refresh: 0, preheat: 0 };
const ROOT = join(__dirname, '..', '..');

let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await createSimulator({ port: 0, quiet: true, ak: AK, sk: SK, records: 3000, rateLimits: UNLIMITED });
  env = { CDN_ENDPOINT: sim.url, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK };
});
afterAll(() => sim.close());
beforeEach(async () => {
  await callSimulator(sim.url, 'POST', '/__sim/reset', { records: 3000 });
  await callSimulator(sim.url, 'DELETE', '/__sim/faults');
});

// The operation of a logged request, by path.
function operationOf(r: LoggedRequest): string {
  if (r.path.endsWith('/url-tasks')) return 'url-tasks';
  return r.path.endsWith('/detail') ? 'detail' : 'historytasks';
}

describe('check-upstream against a healthy account', () => {
  it('reads one record, one task and its detail, all matching: exit 0, at most 5 GETs, status and request id per call', async () => {
    const report = await checkUpstream(env);
    expect(report.exitCode).toBe(0);
    const requests = await receivedRequests(sim.url);
    expect(requests.length).toBeGreaterThanOrEqual(3);
    expect(requests.length).toBeLessThanOrEqual(5);
    expect(requests.every((r) => r.method === 'GET')).toBe(true);
    expect(requests.map(operationOf)).toEqual(['url-tasks', 'historytasks', 'detail']);
    const [urlTasks, history, detail] = requests;
    expect(urlTasks!.query).toMatchObject({ limit: '1', offset: '0' });
    expect(Number(urlTasks!.query.end_time) - Number(urlTasks!.query.start_time)).toBe(DAY);
    expect(history!.query).toEqual({ page_size: '1', page_number: '1', file_type: 'file' });
    expect(detail!.query).toMatchObject({ page_size: '1', page_number: '1' });
    expect(detail!.query.create_time).toMatch(/^\d+$/);
    expect(report.text).toMatch(/1\. url-tasks: .*\n.*\n {3}HTTP 200, upstream request id [0-9a-f]{32}\n {3}matched {3}url-tasks: total, count, result\n {3}matched {3}url-tasks\.result\[0\]: id, /);
    expect(report.text).toMatch(/2\. historytasks: [^\n]*\n[^\n]*\n {3}HTTP 200, upstream request id [0-9a-f]{32}/);
    expect(report.text).toMatch(/3\. detail: task \d+, one URL\n[^\n]*\n {3}HTTP 200, upstream request id [0-9a-f]{32}/);
    expect(report.text).not.toContain('MISMATCH ');
    expect(report.text).toMatch(/Summary: MATCHED: 3 calls, 3 answers checked, \d+ fields matched, 0 mismatches, 0 refused \(exit 0\)\.\n$/);
    expect(report.text).not.toContain(SK);
  });

  it('sends HUAWEICLOUD_ENTERPRISE_PROJECT_ID on historytasks and detail, never on url-tasks, and passes an account that requires it', async () => {
    await callSimulator(sim.url, 'PUT', '/__sim/faults', { enterpriseProjectRequired: true });
    const report = await checkUpstream({ ...env, HUAWEICLOUD_ENTERPRISE_PROJECT_ID: 'all' });
    expect(report.exitCode).toBe(0);
    const requests = await receivedRequests(sim.url);
    expect(requests.map((r) => [operationOf(r), r.query.enterprise_project_id])).toEqual([
      ['url-tasks', undefined],
      ['historytasks', 'all'],
      ['detail', 'all'],
    ]);
  });

  it('finds a record in the newest window that has one when the last 24 h hold none, within the budget', async () => {
    // The data set ends three days ago: the last 24 h are empty, the newest task is about three days old.
    await callSimulator(sim.url, 'POST', '/__sim/reset', { records: 3000, now: Date.now() - 3 * DAY });
    const report = await checkUpstream(env);
    expect(report.exitCode).toBe(0);
    const requests = await receivedRequests(sim.url);
    expect(requests.map(operationOf)).toEqual(['url-tasks', 'historytasks', 'detail', 'url-tasks']);
    expect(report.text).toContain('note      no record in this answer: record fields not checked');
    expect(report.text).toMatch(/4\. url-tasks: one record of the 24 h ending at task \d+'s creation[^\n]*\n[^\n]*\n[^\n]*\n {3}matched {3}url-tasks: total, count, result\n {3}matched {3}url-tasks\.result\[0\]: id/);
  });

  it('counts omitted fields as fine: every response field is optional in the SDK', async () => {
    await callSimulator(sim.url, 'PUT', '/__sim/faults', { omitFields: { 'url-tasks': ['modify_time', 'file_type'], historytasks: ['succeed'], 'detail-urls': ['url'] } });
    const report = await checkUpstream(env);
    expect(report.exitCode).toBe(0);
    expect(report.text).toMatch(/absent {4}url-tasks\.result\[0\]: [^\n]*modify_time, file_type/);
    expect(report.text).toMatch(/absent {4}historytasks\.tasks\[0\]: succeed \(optional/);
    expect(report.text).toMatch(/absent {4}detail\.urls\[0\]: url/);
  });
});

describe('check-upstream on a mismatch or a refusal', () => {
  it('reports unknown enum values as mismatches and exits 1, without POSTing', async () => {
    await callSimulator(sim.url, 'PUT', '/__sim/faults', { unknownEnumValues: true });
    const report = await checkUpstream(env);
    expect(report.exitCode).toBe(1);
    expect(report.text).toContain('MISMATCH  url-tasks.result[0].status: unknown enum value "QUEUED" (documented: PROCESSING|SUCCEED|FAILED|WAITING|REFRESHING|PREHEATING)');
    expect(report.text).toContain('MISMATCH  historytasks.tasks[0].task_type: unknown enum value "purge" (documented: refresh|preheating)');
    expect(report.text).toContain('MISMATCH  detail.urls[0].task_type: unknown enum value "PURGE"');
    expect(report.text).toMatch(/Summary: MISMATCH: 3 calls, 3 answers checked, \d+ fields matched, 8 mismatches, 0 refused \(exit 1\)\./);
    const requests = await receivedRequests(sim.url);
    expect(requests.length).toBeLessThanOrEqual(5);
    expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('reports url-tasks not enabled with the service-ticket hint, still checks the other APIs, exits 3', async () => {
    await callSimulator(sim.url, 'PUT', '/__sim/faults', { urlTasksDisabled: true });
    const report = await checkUpstream(env);
    expect(report.exitCode).toBe(3);
    expect(report.text).toMatch(/1\. url-tasks: [^\n]*\n[^\n]*\n {3}HTTP 403, upstream request id \S+\n {3}REFUSED {3}HTTP 403 CDN\.0004 /);
    expect(report.text).toContain('submitting a service ticket');
    expect(report.text).toMatch(/2\. historytasks: [^\n]*\n[^\n]*\n {3}HTTP 200/);
    expect(report.text).toMatch(/3\. detail: [^\n]*\n[^\n]*\n {3}HTTP 200/);
    expect(report.text).toMatch(/Summary: INCOMPLETE \(refused\): 3 calls, 2 answers checked, \d+ fields matched, 0 mismatches, 1 refused \(exit 3\)\./);
  });

  it('names HUAWEICLOUD_ENTERPRISE_PROJECT_ID when an account with enterprise projects refuses a call without one', async () => {
    await callSimulator(sim.url, 'PUT', '/__sim/faults', { enterpriseProjectRequired: true });
    const report = await checkUpstream(env);
    expect(report.exitCode).toBe(3);
    expect(report.text).toMatch(/2\. historytasks: [^\n]*\n[^\n]*\n[^\n]*\n {3}REFUSED {3}HTTP 400 CDN\.0001 [^\n]*\n {3}hint {6}[^\n]*set HUAWEICLOUD_ENTERPRISE_PROJECT_ID/);
  });

  it('stops after a 401 with the credentials hint, and never shows the secret key', async () => {
    const wrongSk = 'WrongSecretKey00000000000000000000000042';
    const report = await checkUpstream({ ...env, HUAWEICLOUD_SDK_SK: wrongSk });
    expect(report.exitCode).toBe(3);
    expect((await receivedRequests(sim.url)).length).toBe(1);
    expect(report.text).toMatch(/REFUSED {3}HTTP 401 APIGW\.0301/);
    expect(report.text).toContain('check HUAWEICLOUD_SDK_AK/SK');
    expect(report.text).not.toContain(wrongSk);
    expect(report.text).not.toContain(SK);
  });
});

describe('check-upstream configuration', () => {
  it('needs credentials or an endpoint rather than checking the embedded simulator: exit 2, nothing sent', async () => {
    const report = await checkUpstream({});
    expect(report.exitCode).toBe(2);
    expect(report.text).toContain('no upstream to check: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or HUAWEICLOUD_IAM_TOKEN)');
    expect((await receivedRequests(sim.url)).length).toBe(0);
  });

  it('lists every configuration problem, like the gateway start-up, without echoing secrets', async () => {
    const report = await checkUpstream({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'TokenValue-0000000000', HUAWEICLOUD_ENTERPRISE_PROJECT_ID: 'project-x', CDN_ENDPOINT: 'ftp://x' });
    expect(report.exitCode).toBe(2);
    expect(report.text).toContain('invalid configuration (3 problems)');
    for (const problem of ['HUAWEICLOUD_ENTERPRISE_PROJECT_ID:', 'CDN_ENDPOINT:', 'HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK must be set together']) expect(report.text).toContain(problem);
    expect(report.text).not.toContain(AK);
  });
});

describe('the contract findings', () => {
  it('tells a wrong type, an unknown field, wrong casing and an unknown value apart', () => {
    const findings = checkBody('url-tasks', { total: 1, count: '1', result: [{ id: '7', task_id: 3, status: 'succeed', type: 'PURGE', extra: true }] }).flatMap((l) => l.findings.map(describeFinding));
    expect(findings).toEqual([
      'url-tasks.count: wrong type, "1" is not int',
      'url-tasks.result[0].id: wrong type, "7" is not int',
      'url-tasks.result[0].status: wrong casing, "succeed" (documented: PROCESSING|SUCCEED|FAILED|WAITING|REFRESHING|PREHEATING)',
      'url-tasks.result[0].type: unknown enum value "PURGE" (documented: REFRESH|PREHEATING)',
      'url-tasks.result[0].extra: unknown field (not in the SDK model)',
    ]);
  });
});

describe('npm run check-upstream (the real script)', () => {
  it('runs as a child process against the simulator: the report on stdout, exit 0, no secret key', async () => {
    const child = spawn('npm', ['run', '--silent', 'check-upstream'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^check-upstream: http:\/\/127\.0\.0\.1:\d+ \(AK\/SK signing; enterprise project: not set\)\n/);
    expect(stdout).toMatch(/Summary: MATCHED: 3 calls/);
    expect(stdout).not.toContain(SK);
    expect((await receivedRequests(sim.url)).every((r) => r.method === 'GET')).toBe(true);
  });
});
