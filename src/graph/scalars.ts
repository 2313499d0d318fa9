/** The DateTime scalar: epoch milliseconds inside, ISO-8601 UTC with milliseconds outside. */
import { GraphQLScalarType, Kind } from 'graphql';
import { GraphQLError } from 'graphql';
import { CODES } from '../errors';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
// The last instant a JS Date holds: beyond it, serializing (toISOString) throws.
const MAX_EPOCH_MS = 8.64e15;

/** Parses a DateTime input (ISO-8601 with a zone, or epoch ms) into epoch ms; throws a BAD_USER_INPUT GraphQLError. */
export function parseDateTime(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS) return value;
  if (typeof value === 'string' && ISO_WITH_ZONE.test(value) && isCalendarDate(value)) {
    const ms = Date.parse(value);
    if (ms >= 0 && ms <= MAX_EPOCH_MS) return ms;
  }
  throw new GraphQLError(
    `DateTime must be an ISO-8601 timestamp with a zone (e.g. 2026-11-25T08:00:00Z) or epoch milliseconds, a real instant from 1970 on; got ${JSON.stringify(value)?.slice(0, 60)}`,
    { extensions: { code: CODES.BAD_USER_INPUT } },
  );
}

// Date.parse rolls impossible days over (2025-02-29 becomes March 1st): refuse them instead.
function isCalendarDate(iso: string): boolean {
  const [year, month, day] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

/** Serializes epoch ms as ISO-8601 UTC with milliseconds. */
export function serializeDateTime(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return toIsoString(value);
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

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** Formats epoch ms as Date#toISOString does, without a Date: a page of 100 records serializes 200 of them. */
export function toIsoString(ms: number): string {
  // Outside years 0000–9999 (and for fractions) the format differs: leave those to Date.
  if (!Number.isInteger(ms) || ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString();
  const days = Math.floor(ms / 86400000);
  let rest = ms - days * 86400000;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3600000);
  rest -= hour * 3600000;
  const minute = Math.floor(rest / 60000);
  rest -= minute * 60000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  const y = year < 10 ? `000${year}` : year < 100 ? `00${year}` : year < 1000 ? `0${year}` : `${year}`;
  return `${y}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
