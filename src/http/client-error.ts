/**
 * Answers requests that Node's HTTP parser refused before any route saw them (headers over
 * the size limit, a malformed request line or chunked body, a request too slow to arrive).
 * Node's default answer has no body; this one carries the same GraphQL error shape as every
 * other refusal, request id included, so clients and proxies can read why.
 */
import type { Duplex } from 'node:stream';
import { CODES } from '../errors';
import type { AccessLog } from './access-log';
import { newRequestId, REQUEST_ID_HEADER } from './request-id';
import { graphQLErrorBody } from './respond';

// What the parser's error codes mean for the client, as status, reason phrase and message.
const REFUSALS: Readonly<Record<string, readonly [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'The request line and headers exceed the server limit (16 KiB); send long queries in a POST body'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request did not arrive in time'],
};
const DEFAULT_REFUSAL = [400, 'Bad Request', 'The request is not valid HTTP/1.1'] as const;

// How long a refused client may take to read the answer and close its side. `end` alone sends
// the answer and a FIN but keeps the socket until the client closes too, which a slow-client
// attacker never does; destroying at once could reset the connection before the answer is read.
const CLOSE_GRACE_MS = 1000;

/** A server's `clientError` listener. */
export type ClientErrorHandler = (error: Error & { code?: string }, socket: Duplex) => void;

/** Creates the `clientError` listener: writes a JSON error answer when the socket can still take one, records it, then closes the socket (destroying it if the client has not closed its side within a second). */
export function createClientErrorHandler(accessLog: AccessLog): ClientErrorHandler {
  return (error, socket) => {
    // Node's own handler checks the same: a response already started on this socket cannot be replaced.
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const [status, reason, message] = REFUSALS[error.code ?? ''] ?? DEFAULT_REFUSAL;
    // The request could not be read, so no caller id can be reused.
    const requestId = newRequestId();
    const body = graphQLErrorBody(CODES.BAD_REQUEST, message, requestId);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
    const linger = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
    accessLog.unparsed(status, requestId);
  };
}
