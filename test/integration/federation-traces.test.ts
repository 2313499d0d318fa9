/**
 * Federated traces (`apollo-federation-include-trace: ftv1`) over real HTTP: any client may send
 * the header, but per-field timings go only to a router that sends FEDERATION_TRACE_SECRET in
 * `x-federation-trace-secret`, and to nobody when the secret is not set.
 */
import { startOpsStack, type OpsStack } from './ops-support';

const SECRET = 'router-trace-secret-0123456789';
const QUERY = '{ urlTasks(first: 2) { nodes { id status } } }';
const ASK_TRACE = { 'apollo-federation-include-trace': 'ftv1' };

// Posts QUERY with `headers`; returns its data and its ftv1 extension.
async function traced(stack: OpsStack, headers: Record<string, string>): Promise<{ status: number; nodes: unknown; ftv1: unknown }> {
  const res = await stack.gql(QUERY, undefined, headers);
  const body = res.body as { data?: { urlTasks?: { nodes?: unknown[] } } | null; extensions?: Record<string, unknown> };
  return { status: res.status, nodes: body.data?.urlTasks?.nodes?.length, ftv1: body.extensions?.ftv1 };
}

describe('federated traces', () => {
  it('are never sent when FEDERATION_TRACE_SECRET is not set, whatever the client sends', async () => {
    const stack = await startOpsStack();
    try {
      expect(await traced(stack, ASK_TRACE)).toEqual({ status: 200, nodes: 2, ftv1: undefined });
      expect(await traced(stack, { ...ASK_TRACE, 'x-federation-trace-secret': SECRET })).toEqual({ status: 200, nodes: 2, ftv1: undefined });
    } finally {
      await stack.close();
    }
  });

  it('with FEDERATION_TRACE_SECRET set, go only to requests that carry the secret', async () => {
    const stack = await startOpsStack({ env: { FEDERATION_TRACE_SECRET: SECRET } });
    try {
      expect(await traced(stack, ASK_TRACE)).toEqual({ status: 200, nodes: 2, ftv1: undefined });
      // Same length, last character different; and a prefix of the secret.
      expect(await traced(stack, { ...ASK_TRACE, 'x-federation-trace-secret': `${SECRET.slice(0, -1)}X` })).toEqual({ status: 200, nodes: 2, ftv1: undefined });
      expect(await traced(stack, { ...ASK_TRACE, 'x-federation-trace-secret': SECRET.slice(0, 8) })).toEqual({ status: 200, nodes: 2, ftv1: undefined });
      // The secret without asking for a trace gets none either.
      expect(await traced(stack, { 'x-federation-trace-secret': SECRET })).toEqual({ status: 200, nodes: 2, ftv1: undefined });
      const router = await traced(stack, { ...ASK_TRACE, 'x-federation-trace-secret': SECRET });
      expect(router).toMatchObject({ status: 200, nodes: 2 });
      // A base64 protobuf Trace (Apollo's ftv1 format), with the per-field timings inside.
      expect(router.ftv1).toMatch(/^[A-Za-z0-9+/]{16,}={0,2}$/);
      expect(Buffer.from(router.ftv1 as string, 'base64').includes(Buffer.from('urlTasks'))).toBe(true);
      // The secret never reaches a log line.
      expect(JSON.stringify(stack.logs)).not.toContain(SECRET);
    } finally {
      await stack.close();
    }
  });
});
