/**
 * The `operation` label of the GraphQL metrics: an explicit allowlist (`METRICS_OPERATION_NAMES`).
 * Operation names are chosen by clients, so a name becomes a label value only when the operator
 * listed it; every other request counts under one of three fixed values. The label set is thus
 * fixed at start-up: no client can grow it, and no early client can take the places of later
 * legitimate names (which a first-come cap would allow).
 */

/** What a GraphQL operation name may be to be listed: a GraphQL name of at most 64 characters. */
export const OPERATION_NAME_PATTERN = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** Most names `METRICS_OPERATION_NAMES` may list (each costs about 15 series per histogram, plus errors by code). */
export const MAX_LISTED_OPERATION_NAMES = 500;

/** The label values the gateway uses itself: no operation name, a name that is not a GraphQL name, a name not listed. */
export const FIXED_OPERATION_LABELS = Object.freeze({ anonymous: 'anonymous', invalid: 'invalid', other: 'other' } as const);

/** Lists what is wrong with an allowlist of operation names (empty when it is fine). */
export function findOperationNameProblems(names: readonly string[]): string[] {
  const problems: string[] = [];
  if (names.length > MAX_LISTED_OPERATION_NAMES) problems.push(`lists ${names.length} names; at most ${MAX_LISTED_OPERATION_NAMES} are allowed (each adds series to every GraphQL metric)`);
  const reserved = new Set<string>(Object.values(FIXED_OPERATION_LABELS));
  names.forEach((name, i) => {
    const shown = name.length > 40 ? `${JSON.stringify(name.slice(0, 40))}…` : JSON.stringify(name);
    if (!OPERATION_NAME_PATTERN.test(name)) {
      problems.push(`name #${i + 1} ${shown} is not a GraphQL operation name of at most 64 characters (a letter or _, then letters, digits or _)`);
    } else if (reserved.has(name)) {
      problems.push(`name #${i + 1} ${shown} is a label the gateway uses itself (${[...reserved].join(', ')}); rename the operation`);
    }
  });
  return problems;
}

/**
 * Returns a function mapping a request's operation name to its label value: the name when it
 * is listed in `allowed`, `anonymous` when there is none, `invalid` when it is no GraphQL name,
 * `other` otherwise. The result is always one of `allowed` or the three fixed values.
 */
export function createOperationLabeler(allowed: Iterable<string>): (name: string | null | undefined) => string {
  const reserved = new Set<string>(Object.values(FIXED_OPERATION_LABELS));
  const listed = new Set([...allowed].filter((name) => OPERATION_NAME_PATTERN.test(name) && !reserved.has(name)));
  return (name) => {
    if (name === null || name === undefined || name === '') return FIXED_OPERATION_LABELS.anonymous;
    if (!OPERATION_NAME_PATTERN.test(name)) return FIXED_OPERATION_LABELS.invalid;
    return listed.has(name) ? name : FIXED_OPERATION_LABELS.other;
  };
}
