/** Reads the hand-transcribed SDK fixtures (test/contract/fixtures/) and derives the contract each check uses. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldKind } from '../../../src/cdn/contract';

/** One query or body parameter as a fixture describes it. */
export interface ParamSpec {
  readonly type: string;
  readonly required: boolean;
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

/** An endpoint fixture (README.md, "Endpoint fixtures"). */
export interface EndpointFixture {
  readonly _source: readonly string[];
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly request: {
    readonly path_params: Readonly<Record<string, ParamSpec>>;
    readonly query_params: Readonly<Record<string, ParamSpec>>;
    readonly body_fields: Readonly<Record<string, ParamSpec>> | null;
    readonly example_query: Readonly<Record<string, string | number>>;
    readonly example_body?: unknown;
  };
  readonly response: { readonly status: number; readonly fields: Readonly<Record<string, string>>; readonly body: Record<string, unknown> };
}

/** An error fixture (README.md, "Error fixtures"). */
export interface ErrorFixture {
  readonly shape: 'apigw' | 'top-level' | 'err-rsp';
  readonly applies_to: readonly string[];
  readonly response: { readonly status: number; readonly body: Record<string, unknown> };
}

const DIR = join(__dirname, '..', 'fixtures');

/** Reads one endpoint fixture by file name (without `.json`). */
export function loadEndpoint(name: 'url-tasks' | 'historytasks' | 'task-detail' | 'task-detail-hex-id' | 'create-refresh' | 'create-preheat'): EndpointFixture {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as EndpointFixture;
}

/** Reads one error fixture by file name (without `.json`). */
export function loadError(name: string): ErrorFixture {
  return JSON.parse(readFileSync(join(DIR, 'errors', `${name}.json`), 'utf8')) as ErrorFixture;
}

/** The five endpoint fixtures by the operation names of src/cdn/models.ts. */
export const FIXTURES = {
  'url-tasks': loadEndpoint('url-tasks'),
  historytasks: loadEndpoint('historytasks'),
  detail: loadEndpoint('task-detail'),
  refresh: loadEndpoint('create-refresh'),
  preheat: loadEndpoint('create-preheat'),
} as const;

/** A JSON type a model field may have (the contract's, src/cdn/contract.ts). */
export type { FieldKind };

/** Returns the kind of a fixture's field type (`int (ms)` → int, `list[Urls]` → list, `string (task id)` → string). */
export function kindOf(type: string): FieldKind {
  if (type.startsWith('list[')) return 'list';
  if (type.startsWith('int')) return 'int';
  if (type.startsWith('string')) return 'string';
  if (type.startsWith('bool')) return 'bool';
  return 'object';
}

/** Lists a fixture's response fields at one level: `''` for the top level, `'result[]'` for list items. */
export function fieldsAt(fixture: EndpointFixture, prefix: string): Record<string, FieldKind> {
  const out: Record<string, FieldKind> = {};
  for (const [name, type] of Object.entries(fixture.response.fields)) {
    const rest = prefix === '' ? name : name.startsWith(`${prefix}.`) ? name.slice(prefix.length + 1) : undefined;
    if (rest !== undefined && !rest.includes('.') && !rest.includes('[]')) out[rest] = kindOf(type);
  }
  return out;
}

/** Returns a query parameter's documented values, failing loudly when the fixture has none. */
export function enumOf(fixture: EndpointFixture, param: string): readonly string[] {
  const values = fixture.request.query_params[param]?.enum ?? fixture.request.body_fields?.[param]?.enum;
  if (!values) throw new Error(`${fixture.operation}: no enum for ${param}`);
  return values;
}
