/** The CDN API routes the simulator serves, keyed by `METHOD path-template` as the stats show them. */
import { OPERATION_NAMES, OPERATIONS, routeKey, type OperationName } from '../cdn/operations';

/** One API route. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly template: string;
  readonly operation: OperationName;
  readonly pattern: RegExp;
}

/** A matched route with its path parameter (the task id of the detail route). */
export interface RouteMatch {
  readonly route: Route;
  readonly id?: string;
}

/** Every API route. */
export const ROUTES: readonly Route[] = OPERATION_NAMES.map((operation) => ({
  method: OPERATIONS[operation].method,
  template: routeKey(operation),
  operation,
  pattern: templatePattern(OPERATIONS[operation].pathTemplate),
}));

/** Turns a path template into an anchored pattern; `{id}` captures one path segment. */
export function templatePattern(template: string): RegExp {
  const parts = template.split('{id}').map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${parts.join('([^/]+)')}$`);
}

/** Finds the route of a method and raw path; `undefined` for an API that does not exist. */
export function matchRoute(method: string, rawPath: string): RouteMatch | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(rawPath);
    if (m) return m[1] === undefined ? { route } : { route, id: decodeSegment(m[1]) };
  }
  return undefined;
}

// Decodes a path segment, keeping it as sent when its escapes are broken.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
