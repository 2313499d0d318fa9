/** The DateTime scalar: epoch milliseconds inside, ISO-8601 UTC with milliseconds outside. */
import { GraphQLScalarType, Kind } from 'graphql';
import { GraphQLError } from 'graphql';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses a DateTime input (ISO-8601 with a zone, or epoch ms) into epoch ms; throws a BAD_USER_INPUT GraphQLError. */
export function parseDateTime(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && ISO_WITH_ZONE.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new GraphQLError(
    `DateTime must be an ISO-8601 timestamp with a zone (e.g. 2026-11-25T08:00:00Z) or epoch milliseconds; got ${JSON.stringify(value)?.slice(0, 60)}`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

/** Serializes epoch ms as ISO-8601 UTC with milliseconds. */
export function serializeDateTime(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  throw new GraphQLError(`DateTime cannot represent ${typeof value}`);
}

/** The DateTime scalar's implementation. */
export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize: serializeDateTime,
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return parseDateTime(ast.value);
    if (ast.kind === Kind.INT) return parseDateTime(Number(ast.value));
    return parseDateTime(undefined);
  },
});
