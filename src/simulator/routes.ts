/** The CDN API routes the simulator serves, keyed by `METHOD path-template` as the stats show them. */
import type { OperationName } from '../cdn/models';

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
export const ROUTES: readonly Route[] = [
  { method: 'GET', template: 'GET /v1.0/cdn/contentgateway/url-tasks', operation: 'url-tasks', pattern: /^\/v1\.0\/cdn\/contentgateway\/url-tasks$/ },
  { method: 'GET', template: 'GET /v1.0/cdn/historytasks', operation: 'historytasks', pattern: /^\/v1\.0\/cdn\/historytasks$/ },
  { method: 'GET', template: 'GET /v1.0/cdn/historytasks/{id}/detail', operation: 'detail', pattern: /^\/v1\.0\/cdn\/historytasks\/([^/]+)\/detail$/ },
  { method: 'POST', template: 'POST /v1.0/cdn/content/refresh-tasks', operation: 'refresh', pattern: /^\/v1\.0\/cdn\/content\/refresh-tasks$/ },
  { method: 'POST', template: 'POST /v1.0/cdn/content/preheating-tasks', operation: 'preheat', pattern: /^\/v1\.0\/cdn\/content\/preheating-tasks$/ },
];

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
