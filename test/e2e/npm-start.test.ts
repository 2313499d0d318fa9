/**
 * The real entry point: `npm start` (which builds dist/ when it is stale, then runs the compiled
 * JavaScript) against the embedded simulator, and start-up refusal of a bad configuration.
 */
import { runGateway, spawnGateway } from './support/process';

describe('npm start', () => {
  it('serves GraphQL against the embedded simulator, says which upstream it uses and how to switch', async () => {
    // The wait covers a first build of dist/ (SWC, a few seconds even on a busy machine) before the start.
    const gateway = await spawnGateway({ PORT: '0', SIMULATOR_PORT: '0' }, { command: 'npm', readyTimeoutMs: 90_000 });
    try {
      expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const upstream = gateway.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('Upstream:'));
      expect(upstream?.msg).toMatch(/embedded CDN simulator at http:\/\/127\.0\.0\.1:\d+ .*set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK/);
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ urlTasks(first: 3) { nodes { url status } } }' }),
      });
      const body = (await res.json()) as { data?: { urlTasks: { nodes: unknown[] } } };
      expect(body.data?.urlTasks.nodes).toHaveLength(3);
      expect((await fetch(gateway.url.replace('/graphql', '/readyz'))).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a bad configuration with every problem in one message and exit status 2', async () => {
    const result = await runGateway({ PORT: 'eighty', MAX_DEPTH: '0', AUTH_MODE: 'api-key', HUAWEICLOUD_SDK_AK: 'AK-ONLY-0000000000' });
    expect(result.code).toBe(2);
    expect(result.output).toContain('Invalid configuration (4 problems):');
    for (const setting of ['PORT:', 'MAX_DEPTH:', 'AUTH_MODE=api-key needs API_KEYS', 'HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK must be set together']) {
      expect(result.output).toContain(setting);
    }
    expect(result.output).not.toContain('AK-ONLY-0000000000');
  });
});
