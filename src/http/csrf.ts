/**
 * CSRF prevention, with a message that says what to send. The rule is Apollo Server's
 * (`csrfPrevention: true`, which stays on behind this check): a request a web page on another
 * site could make without a CORS preflight (a GET, or a POST whose content-type is one an HTML
 * form can send) is refused unless it carries a header only a preflighted request can carry.
 * Apollo's own refusal names neither the method nor the fix; urql (queries as GET with only an
 * `Accept` header) and hash-only persisted-query GETs meet it on their first request.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Headers whose presence proves a browser preflighted the request (Apollo's recommended set). */
export const PREFLIGHT_HEADERS: readonly string[] = Object.freeze(['apollo-require-preflight', 'x-apollo-operation-name']);

// Content types a form or a no-cors fetch can send without a preflight (the CORS-safelisted ones).
const SIMPLE_CONTENT_TYPES: ReadonlySet<string> = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

// The media type of a content-type value, without parameters, e.g. `text/plain`.
const essenceOf = (contentType: string): string => (contentType.split(';')[0] ?? '').trim().toLowerCase();

// A header's single value ('' when absent).
const valueOf = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
};

/** Explains why a request could be a cross-site request forgery and what to add; `undefined` when it could not be one. */
export function csrfRefusal(method: string, headers: IncomingHttpHeaders): string | undefined {
  const contentType = headers['content-type'];
  // Any other content type needs a preflight, and so does any non-empty preflight header.
  if (contentType !== undefined && !SIMPLE_CONTENT_TYPES.has(essenceOf(contentType))) return undefined;
  if (PREFLIGHT_HEADERS.some((name) => valueOf(headers, name) !== '')) return undefined;
  const what =
    contentType === undefined
      ? `A ${method} request without a content-type header`
      : `A ${method} request with content-type ${essenceOf(contentType)}`;
  const fix =
    method === 'POST'
      ? 'send content-type: application/json (or add the header apollo-require-preflight: true)'
      : 'add the header apollo-require-preflight: true (urql: fetchOptions: { headers: { "apollo-require-preflight": "true" } }), or send the operation as a POST with content-type: application/json (urql: preferGetMethod: false)';
  return `${what} can be sent by any web page without a CORS preflight, so it was refused as a possible Cross-Site Request Forgery (CSRF): ${fix}.`;
}
