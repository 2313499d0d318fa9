/** The operations table and what is derived from it: labels, limits, config defaults, simulator routes. */
import { OPERATION_LABELS } from '../../src/cdn/classify';
import { HUAWEI_RATE_LIMITS } from '../../src/cdn/economy';
import { defaultRateLimits, fillPath, OPERATION_NAMES, OPERATIONS, operationLabel, routeKey } from '../../src/cdn/operations';
import { taskDetailPath } from '../../src/cdn/params';
import { loadConfig } from '../../src/config';
import { DEFAULT_RATE_LIMITS } from '../../src/simulator/ratelimit';
import { matchRoute, ROUTES } from '../../src/simulator/routes';

describe('operations table', () => {
  it('marks only the url-tasks and detail limits as documented by Huawei', () => {
    const documented = OPERATION_NAMES.filter((op) => OPERATIONS[op].rateLimitSource === 'documented');
    expect(documented).toEqual(['url-tasks', 'detail']);
    expect(defaultRateLimits()).toEqual({ 'url-tasks': 5, historytasks: 10, detail: 30, refresh: 5, preheat: 5 });
  });

  it('is where the client, the configuration and the simulator take their limits from', () => {
    const config = loadConfig({}, () => 'x'.repeat(32));
    expect(config.rateLimits).toEqual(defaultRateLimits());
    expect(HUAWEI_RATE_LIMITS).toEqual(defaultRateLimits());
    expect(DEFAULT_RATE_LIMITS).toEqual(defaultRateLimits());
    const overridden = loadConfig({ [OPERATIONS.historytasks.rateLimitEnv]: '7' }, () => 'x'.repeat(32));
    expect(overridden.rateLimits.historytasks).toBe(7);
  });

  it('labels messages with the method and path template', () => {
    expect(operationLabel('detail')).toBe('Reading a task detail (GET /v1.0/cdn/historytasks/{id}/detail)');
    expect(OPERATION_LABELS.preheat).toBe('Creating a preheat task (POST /v1.0/cdn/content/preheating-tasks)');
  });

  it('gives the simulator one route per operation that matches the paths the client builds', () => {
    expect(ROUTES.map((r) => r.template)).toEqual(OPERATION_NAMES.map(routeKey));
    expect(matchRoute('GET', fillPath('url-tasks'))?.route.operation).toBe('url-tasks');
    expect(matchRoute('GET', fillPath('historytasks'))?.route.operation).toBe('historytasks');
    expect(matchRoute('GET', taskDetailPath('7620240') ?? '')).toMatchObject({ route: { operation: 'detail' }, id: '7620240' });
    expect(matchRoute('POST', fillPath('refresh'))?.route.operation).toBe('refresh');
    expect(matchRoute('GET', fillPath('refresh'))).toBeUndefined();
    // The template's dots are literal: a look-alike path is no route.
    expect(matchRoute('GET', '/v1x0/cdn/historytasks')).toBeUndefined();
  });
});
