/** Reads what the simulator received (`GET /__sim/requests`) and matches each request to its endpoint fixture. */
import type { LoggedRequest } from '../../../src/simulator/request-log';
import { callSimulator } from '../../support/sim-control';
import { FIXTURES, type EndpointFixture } from './fixtures';

/** Returns the API requests the simulator at `baseUrl` received since its last reset, oldest first. */
export async function receivedRequests(baseUrl: string): Promise<readonly LoggedRequest[]> {
  return (await callSimulator<{ requests: LoggedRequest[] }>(baseUrl, 'GET', '/__sim/requests')).requests;
}

/** Returns the operation whose fixture has this method and path (path parameters as `{name}`). */
export function operationOf(request: Pick<LoggedRequest, 'method' | 'path'>): keyof typeof FIXTURES {
  const found = (Object.entries(FIXTURES) as Array<[keyof typeof FIXTURES, EndpointFixture]>).find(
    ([, f]) => f.method === request.method && new RegExp(`^${f.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(request.path),
  );
  if (!found) throw new Error(`no fixture for ${request.method} ${request.path}`);
  return found[0];
}

/** Lists how a received request breaks its fixture: unknown parameters, values outside an enum or range, non-integers. */
export function requestViolations(request: LoggedRequest): string[] {
  const operation = operationOf(request);
  const params = FIXTURES[operation].request.query_params;
  const out: string[] = [];
  for (const [name, value] of Object.entries(request.query)) {
    const spec = params[name];
    const where = `${operation} ?${name}=${JSON.stringify(value)}`;
    if (!spec) {
      out.push(`${where}: not a parameter of the model`);
      continue;
    }
    if (typeof value !== 'string') out.push(`${where}: repeated`);
    else if (spec.enum && !spec.enum.includes(value)) out.push(`${where}: not in ${spec.enum.join('|')}`);
    else if (spec.type.startsWith('int') && !(/^\d+$/.test(value) && Number(value) >= (spec.min ?? 0) && Number(value) <= (spec.max ?? Number.MAX_SAFE_INTEGER))) {
      out.push(`${where}: not an integer in range`);
    }
  }
  return out;
}

/** Lists a JSON body's field names as the fixtures spell them (`refresh_task.urls`). */
export function bodyFieldNames(body: unknown, prefix = ''): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  return Object.entries(body).flatMap(([k, v]) => [`${prefix}${k}`, ...bodyFieldNames(v, `${prefix}${k}.`)]);
}
