/**
 * The filter binding every cursor carries: a short hash of the connection's scope, its filter
 * arguments and the range end the first page froze. A cursor only pages the list it was issued
 * for; see docs/architecture.md (stable cursors).
 */
import { createHash } from 'node:crypto';

/** Hashes a scope, filter (null and absent fields alike) and frozen end into a 12-character binding. */
export function bindFilter(scope: string, filter: object, frozenEnd?: number | null): string {
  const normalized = stableStringify([scope, frozenEnd ?? null, filter]);
  return createHash('sha256').update(normalized).digest().subarray(0, 9).toString('base64url');
}

// JSON with sorted keys and undefined/null fields dropped, so equal filters hash equally
// whatever the key order or how a resolver spells "not filtered".
function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
