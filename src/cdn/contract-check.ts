/**
 * Checks a 200 body against the SDK contract (src/cdn/contract.ts): which fields matched,
 * which were absent (fine: every field is optional, docs/upstream.md#common-rules) and what
 * did not match, by kind: a field the model lacks, a wrong JSON type, an undocumented enum
 * value, or a documented value in the wrong casing (docs/upstream.md#enumerations).
 */
import { CONTRACTS, type FieldKind, type LevelContract } from './contract';
import type { OperationName } from './operations';

/** How a field breaks the contract. */
export type FindingKind = 'unknown-field' | 'wrong-type' | 'unknown-value' | 'wrong-casing' | 'not-object';

/** One way a body breaks the contract. */
export interface Finding {
  /** Where in the body, e.g. `url-tasks.result[0].status`. */
  readonly where: string;
  readonly kind: FindingKind;
  readonly value?: unknown;
  /** The kind or the values the contract expects. */
  readonly expected?: string;
}

/** The outcome of one level of a body (the top, or one record of its list). */
export interface LevelCheck {
  readonly where: string;
  readonly matched: readonly string[];
  /** Fields of the model the body did not carry (allowed). */
  readonly absent: readonly string[];
  readonly findings: readonly Finding[];
}

/** Checks a 200 body level by level: the top level, then each record of its list. */
export function checkBody(operation: OperationName, body: unknown): LevelCheck[] {
  const contract = CONTRACTS[operation];
  if (!isObject(body)) return [{ where: operation, matched: [], absent: [], findings: [{ where: operation, kind: 'not-object', value: body }] }];
  const levels = [checkLevel(operation, contract.top, body)];
  const list = contract.list;
  const records = list ? body[list.key] : undefined;
  if (list && Array.isArray(records)) {
    records.forEach((record, i) => {
      const where = `${operation}.${list.key}[${i}]`;
      levels.push(isObject(record) ? checkLevel(where, list.records, record) : { where, matched: [], absent: [], findings: [{ where, kind: 'not-object', value: record }] });
    });
  }
  return levels;
}

/** Lists how a 200 body breaks its operation's contract, one line each; empty when it keeps it. */
export function contractViolations(operation: OperationName, body: unknown): string[] {
  return checkBody(operation, body).flatMap((level) => level.findings.map(violationLine));
}

/** Describes a finding for a person: what was found and what the contract expects. */
export function describeFinding(f: Finding): string {
  switch (f.kind) {
    case 'unknown-field':
      return `${f.where}: unknown field (not in the SDK model)`;
    case 'wrong-type':
      return `${f.where}: wrong type, ${show(f.value)} is not ${f.expected}`;
    case 'unknown-value':
      return `${f.where}: unknown enum value ${show(f.value)} (documented: ${f.expected})`;
    case 'wrong-casing':
      return `${f.where}: wrong casing, ${show(f.value)} (documented: ${f.expected})`;
    case 'not-object':
      return `${f.where}: not a JSON object`;
  }
}

// One finding in the terse form the contract tests compare.
function violationLine(f: Finding): string {
  switch (f.kind) {
    case 'unknown-field':
      return `${f.where}: not a field of the model`;
    case 'wrong-type':
      return `${f.where}: ${JSON.stringify(f.value)} is not ${f.expected}`;
    case 'unknown-value':
    case 'wrong-casing':
      return `${f.where}: ${JSON.stringify(f.value)} not in ${f.expected}`;
    case 'not-object':
      return f.where.includes('.') ? `${f.where}: not an object` : `${f.where}: body is not an object`;
  }
}

// Checks one level: no field the model lacks, each field of its kind, enum values in the documented set and casing.
function checkLevel(where: string, contract: LevelContract, value: Record<string, unknown>): LevelCheck {
  const matched: string[] = [];
  const findings: Finding[] = [];
  for (const [name, field] of Object.entries(value)) {
    const at = `${where}.${name}`;
    const kind = contract.fields[name];
    if (kind === undefined) {
      findings.push({ where: at, kind: 'unknown-field', value: field });
      continue;
    }
    if (!hasKind(field, kind)) {
      findings.push({ where: at, kind: 'wrong-type', value: field, expected: kind });
      continue;
    }
    const allowed = contract.enums[name];
    if (allowed && typeof field === 'string' && !allowed.includes(field)) {
      const casing = allowed.some((a) => a.toLowerCase() === field.toLowerCase());
      findings.push({ where: at, kind: casing ? 'wrong-casing' : 'unknown-value', value: field, expected: allowed.join('|') });
      continue;
    }
    matched.push(name);
  }
  const absent = Object.keys(contract.fields).filter((name) => !(name in value));
  return { where, matched, absent, findings };
}

// Tells whether a JSON value has a model kind (null never does: the SDK omits absent fields).
function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'int':
      return Number.isSafeInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
  }
}

// Shows a value briefly: JSON, cut at 60 characters.
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// Tells whether a value is a plain JSON object.
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
