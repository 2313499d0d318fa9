/**
 * The gateway's CSRF rule (src/http/csrf.ts) refuses exactly what Apollo Server's
 * `csrfPrevention: true` refuses, request shape by request shape (Apollo's check run on the
 * same headers through `executeHTTPGraphQLRequest`), and its message names what to add.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { csrfRefusal } from '../../src/http/csrf';

const SHAPES: Array<{ name: string; method: 'GET' | 'POST'; headers: IncomingHttpHeaders }> = [
  { name: 'urql GET (Accept only)', method: 'GET', headers: { accept: 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed' } },
  { name: 'bare GET', method: 'GET', headers: {} },
  { name: 'GET with apollo-require-preflight', method: 'GET', headers: { 'apollo-require-preflight': 'true' } },
  { name: 'GET with an empty apollo-require-preflight', method: 'GET', headers: { 'apollo-require-preflight': '' } },
  { name: 'GET with x-apollo-operation-name', method: 'GET', headers: { 'x-apollo-operation-name': 'Recent' } },
  { name: 'Apollo Client GET (content-type: application/json)', method: 'GET', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json,application/json;q=0.9' } },
  { name: 'GET with content-type text/plain', method: 'GET', headers: { 'content-type': 'text/plain' } },
  { name: 'POST application/json', method: 'POST', headers: { 'content-type': 'application/json' } },
  { name: 'POST application/json; charset=utf-8', method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } },
  { name: 'POST text/plain (a form or no-cors fetch)', method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' } },
  { name: 'POST TEXT/PLAIN in capitals', method: 'POST', headers: { 'content-type': ' TEXT/PLAIN ' } },
  { name: 'POST multipart/form-data', method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' } },
  { name: 'POST application/x-www-form-urlencoded', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  { name: 'POST text/plain with apollo-require-preflight', method: 'POST', headers: { 'content-type': 'text/plain', 'apollo-require-preflight': '1' } },
  { name: 'POST without content-type', method: 'POST', headers: {} },
];

let apollo: ApolloServer;
beforeAll(async () => {
  apollo = new ApolloServer({ typeDefs: 'type Query { ok: Boolean }', csrfPrevention: true });
  await apollo.start();
});
afterAll(() => apollo?.stop());

// Whether Apollo's own check refuses the shape as CSRF.
async function apolloRefuses(method: string, headers: IncomingHttpHeaders): Promise<boolean> {
  const map = new HeaderMap();
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') map.set(name, value);
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers: map, search: method === 'GET' ? '?query=%7Bok%7D' : '', body: method === 'POST' ? { query: '{ ok }' } : undefined },
    context: async () => ({}),
  });
  return result.body.kind === 'complete' && /Cross-Site Request Forgery/.test(result.body.string);
}

describe('CSRF rule', () => {
  it.each(SHAPES)('agrees with Apollo Server on: $name', async ({ method, headers }) => {
    expect(csrfRefusal(method, headers) !== undefined).toBe(await apolloRefuses(method, headers));
  });

  it('refuses urql\'s GET and a bare GET, naming the header to add and the POST alternative', () => {
    const message = csrfRefusal('GET', { accept: 'application/json' });
    expect(message).toBe(
      'A GET request without a content-type header can be sent by any web page without a CORS preflight, so it was refused as a possible Cross-Site Request Forgery (CSRF): ' +
        'add the header apollo-require-preflight: true (urql: fetchOptions: { headers: { "apollo-require-preflight": "true" } }), or send the operation as a POST with content-type: application/json (urql: preferGetMethod: false).',
    );
  });

  it('refuses a form-like POST, naming the content type to send', () => {
    expect(csrfRefusal('POST', { 'content-type': 'text/plain;charset=UTF-8' })).toBe(
      'A POST request with content-type text/plain can be sent by any web page without a CORS preflight, so it was refused as a possible Cross-Site Request Forgery (CSRF): ' +
        'send content-type: application/json (or add the header apollo-require-preflight: true).',
    );
  });
});
