/** The DateTime scalar: what it accepts (ISO with a zone, epoch ms), what it refuses, and how it serializes. */
import { GraphQLError, parseValue as parseGraphQLValue } from 'graphql';
import { DateTimeScalar, parseDateTime, serializeDateTime, toIsoString } from '../../src/graph/scalars';

const NOV_25_8H_UTC = Date.UTC(2026, 10, 25, 8, 0, 0, 0);

// Returns the BAD_USER_INPUT error parseDateTime throws for a value (fails the test when it does not throw).
function refusal(value: unknown): GraphQLError {
  try {
    parseDateTime(value);
  } catch (err) {
    if (err instanceof GraphQLError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('parseDateTime', () => {
  it.each([
    ['2026-11-25T08:00:00Z', NOV_25_8H_UTC],
    ['2026-11-25T08:00:00.000Z', NOV_25_8H_UTC],
    ['2026-11-25T08:00:00.123Z', NOV_25_8H_UTC + 123],
    ['2026-11-25T08:00Z', NOV_25_8H_UTC],
    ['2026-11-25T16:00:00+08:00', NOV_25_8H_UTC],
    ['2026-11-25T16:00:00+0800', NOV_25_8H_UTC],
    ['2026-11-25T03:00:00-05:00', NOV_25_8H_UTC],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00Z', 0],
  ])('reads the ISO-8601 timestamp %s', (input, expected) => {
    expect(parseDateTime(input)).toBe(expected);
  });

  it.each([0, 1, NOV_25_8H_UTC, 8.64e15])('reads epoch milliseconds %d as they are', (ms) => {
    expect(parseDateTime(ms)).toBe(ms);
  });

  it.each([
    ['an ISO timestamp without a zone', '2026-11-25T08:00:00'],
    ['a date without a time', '2026-11-25'],
    ['a date with a space', '2026-11-25 08:00:00Z'],
    ['garbage', 'yesterday'],
    ['an empty string', ''],
    ['an impossible month', '2026-13-01T00:00:00Z'],
    ['an impossible hour', '2026-11-25T25:00:00Z'],
    ['a day the month does not have', '2026-02-30T00:00:00Z'],
    ['February 29th of a common year', '2025-02-29T00:00:00Z'],
    ['day zero', '2026-11-00T00:00:00Z'],
    ['an instant before 1970', '1969-12-31T23:59:59Z'],
    ['epoch ms as a string', '1795593600000'],
    ['negative epoch ms', -1],
    ['fractional epoch ms', 1.5],
    ['epoch ms beyond what a Date holds', 8.64e15 + 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a boolean', true],
    ['null', null],
    ['an object', { at: NOV_25_8H_UTC }],
  ])('refuses %s with BAD_USER_INPUT that states the rule and the value', (_name, value) => {
    const err = refusal(value);
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(/^DateTime must be an ISO-8601 timestamp with a zone .* or epoch milliseconds/);
    if (typeof value === 'string' && value !== '') expect(err.message).toContain(JSON.stringify(value));
  });
});

describe('serializeDateTime', () => {
  it('writes epoch ms as ISO-8601 UTC with milliseconds', () => {
    expect(serializeDateTime(NOV_25_8H_UTC)).toBe('2026-11-25T08:00:00.000Z');
    expect(serializeDateTime(NOV_25_8H_UTC + 7)).toBe('2026-11-25T08:00:00.007Z');
    expect(serializeDateTime(0)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('round-trips with parseDateTime', () => {
    for (const ms of [0, 1, NOV_25_8H_UTC + 999, 1_700_000_000_123]) expect(parseDateTime(serializeDateTime(ms))).toBe(ms);
  });

  it.each([['a string', '2026-11-25T08:00:00Z'], ['NaN', Number.NaN], ['undefined', undefined]])('refuses %s (a resolver bug, not a client error)', (_name, value) => {
    expect(() => serializeDateTime(value)).toThrow(/DateTime cannot represent/);
  });
});

describe('DateTimeScalar literals', () => {
  const literal = (source: string) => DateTimeScalar.parseLiteral(parseGraphQLValue(source), undefined);

  it('reads string and integer literals', () => {
    expect(literal('"2026-11-25T08:00:00Z"')).toBe(NOV_25_8H_UTC);
    expect(literal(String(NOV_25_8H_UTC))).toBe(NOV_25_8H_UTC);
  });

  it.each(['"2026-11-25T08:00:00"', '1.5', 'true', '[1]', '{ at: 1 }'])('refuses the literal %s with BAD_USER_INPUT', (source) => {
    expect(() => literal(source)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});

describe('toIsoString', () => {
  it('formats exactly as Date#toISOString across the years a DateTime holds', () => {
    const samples = [0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999, Date.UTC(2024, 1, 29, 23, 59, 59, 999)];
    let seed = 12345;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      samples.push(Math.floor((seed / 2 ** 31) * 253_402_300_799_999));
    }
    for (const ms of samples) expect(toIsoString(ms)).toBe(new Date(ms).toISOString());
  });
});
