/**
 * The error catalogue (src/errors.ts) against what the gateway documents and sends: README.md's
 * error table lists exactly its codes, and error formatting lets no code outside it through.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { CLIENT_ERROR_CODES, CODES, ERROR_CODES, GatewayError, PROTOCOL_ERROR_CODES, isClientErrorCode } from '../../src/errors';
import { formatGraphQLError } from '../../src/graph/errors';

// The code column of README.md's table under "## Errors", one code per row.
function readmeErrorCodes(): string[] {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = /^## Errors\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  if (section === undefined) throw new Error('README.md has no "## Errors" section');
  const rows = section.split('\n').filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line));
  const [header, ...body] = rows;
  expect(header).toMatch(/^\|\s*code\s*\|/);
  return body.map((row) => {
    const cell = row.split('|')[1]?.trim() ?? '';
    const match = /^`([A-Z_]+)`$/.exec(cell);
    if (!match?.[1]) throw new Error(`README.md error table: the code cell of "${row}" is not one \`CODE\``);
    return match[1];
  });
}

describe('README.md error table', () => {
  it('lists every code the gateway can send, once each, and nothing else', () => {
    const listed = readmeErrorCodes();
    expect(listed.length).toBe(new Set(listed).size);
    expect([...listed].sort()).toEqual(Object.keys(CLIENT_ERROR_CODES).sort());
  });
});

describe('the catalogue', () => {
  it('keeps the GatewayError codes and the protocol codes apart, and joins them', () => {
    const own = Object.keys(ERROR_CODES);
    const protocol = Object.keys(PROTOCOL_ERROR_CODES);
    expect(own.filter((code) => protocol.includes(code))).toEqual([]);
    expect(Object.keys(CLIENT_ERROR_CODES).sort()).toEqual([...own, ...protocol].sort());
    for (const meaning of Object.values(CLIENT_ERROR_CODES)) expect(meaning).toMatch(/^[A-Z].*\.$/);
  });

  it('names each code by itself in CODES', () => {
    expect(Object.entries(CODES).filter(([name, code]) => name !== code)).toEqual([]);
    expect(Object.keys(CODES).sort()).toEqual(Object.keys(CLIENT_ERROR_CODES).sort());
    expect(isClientErrorCode('BAD_REQUEST')).toBe(true);
    expect(isClientErrorCode('PERSISTED_QUERY_NOT_SUPPORTED')).toBe(false);
    expect(isClientErrorCode('toString')).toBe(false);
  });
});

describe('formatGraphQLError', () => {
  const format = (error: GraphQLError) => formatGraphQLError(error.toJSON(), error);

  it.each(Object.keys(PROTOCOL_ERROR_CODES))('passes the protocol code %s through with its message', (code) => {
    expect(format(new GraphQLError('why', { extensions: { code } }))).toEqual({ message: 'why', extensions: { code } });
  });

  it('keeps a GatewayError’s code and message', () => {
    const error = new GraphQLError('wrapped', { path: ['task'], originalError: new GatewayError(CODES.NOT_FOUND, 'No task 7') });
    expect(format(error)).toMatchObject({ message: 'No task 7', extensions: { code: 'NOT_FOUND' } });
  });

  it.each(['PERSISTED_QUERY_NOT_SUPPORTED', 'UPSTREAM_ERROR', 'SOMETHING_ELSE', 'INTERNAL_SERVER_ERROR'])(
    'masks an error that is not a GatewayError and carries %s, so no unlisted code or internal message gets out',
    (code) => {
      const formatted = format(new GraphQLError('secret detail', { path: ['task'], extensions: { code } }));
      expect(formatted).toEqual({ message: 'Internal server error', path: ['task'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    },
  );

  it('gives a request Apollo refused with an HTTP 4xx status but no code BAD_REQUEST', () => {
    const formatted = format(new GraphQLError('provided sha does not match query', { extensions: { http: { status: 400 } } }));
    expect(formatted.extensions?.code).toBe(CODES.BAD_REQUEST);
    expect(isClientErrorCode(formatted.extensions?.code)).toBe(true);
  });
});
