/**
 * The `operation` label of the GraphQL metrics over HTTP: only names listed in
 * METRICS_OPERATION_NAMES get a series of their own, however many other names clients send
 * first, and every label value stays within a fixed set.
 */
import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '../support/stack';

const LISTED = ['ListedFirst', 'ListedLater'];

// The label values of one metric in a scrape.
function operationLabels(text: string, metric: string): string[] {
  const values = [...text.matchAll(new RegExp(`^${metric}\\{operation="([^"]*)"`, 'gm'))].map((m) => m[1] as string);
  return [...new Set(values)].sort();
}

// The value of one sample of a scrape, or undefined when it is absent.
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('operation labels with METRICS_OPERATION_NAMES set', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { METRICS_OPERATION_NAMES: LISTED.join(',') } });
  });
  afterAll(() => stack.close());

  const scrape = async (): Promise<string> => {
    const res = await fetch(new URL('/metrics', stack.url));
    expect(res.status).toBe(200);
    return res.text();
  };

  it('counts 200 distinct unlisted names sent first as other, and still labels listed names sent after them by name', async () => {
    const random = Array.from({ length: 200 }, () => `Q${randomBytes(12).toString('hex')}`);
    // Twenty at a time: the order (all of them before any listed name) is what matters.
    for (let i = 0; i < random.length; i += 20) {
      const answers = await Promise.all(random.slice(i, i + 20).map((name) => stack.query(`query ${name} { __typename }`)));
      for (const answer of answers) expect(answer.errors).toBeUndefined();
    }
    expect((await stack.query('query ListedFirst { __typename }')).errors).toBeUndefined();
    // An unlisted name with an error, an invalid one and an anonymous one, between the listed names.
    expect((await stack.query('query Unlisted { tasks(first: 1, after: "forged") { totalCount } }')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const huge = `H${'x'.repeat(10_000)}`;
    expect((await stack.query(`query ${huge} { __typename }`)).errors).toBeUndefined();
    expect((await stack.query('{ __typename }')).errors).toBeUndefined();
    expect((await stack.query('query ListedLater { tasks(first: 1, after: "forged") { totalCount } }')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const text = await scrape();
    expect(sample(text, 'gateway_graphql_requests_total{operation="ListedFirst"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_requests_total{operation="ListedLater"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_requests_total{operation="other"}')).toBe(201);
    expect(sample(text, 'gateway_graphql_requests_total{operation="invalid"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_requests_total{operation="anonymous"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_errors_total{operation="ListedLater",code="BAD_USER_INPUT"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_errors_total{operation="other",code="BAD_USER_INPUT"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_request_duration_seconds_count{operation="ListedLater"}')).toBe(1);
    // No client-chosen name other than the listed ones became a label value, in any metric.
    for (const metric of ['gateway_graphql_requests_total', 'gateway_graphql_errors_total', 'gateway_graphql_request_duration_seconds_count']) {
      for (const value of operationLabels(text, metric)) expect(['ListedFirst', 'ListedLater', 'anonymous', 'invalid', 'other']).toContain(value);
    }
    expect(text).not.toContain('Unlisted');
    expect(text).not.toContain(random[0]);
    expect(text).not.toContain('xxxxxxxx');
  });
});

describe('operation labels by default', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('counts every named operation as other', async () => {
    await stack.query('query RecentTasks { __typename }');
    await stack.query('query Refresh { __typename }');
    const text = await (await fetch(new URL('/metrics', stack.url))).text();
    expect(operationLabels(text, 'gateway_graphql_requests_total')).toEqual(['other']);
    expect(sample(text, 'gateway_graphql_requests_total{operation="other"}')).toBe(2);
  });
});
