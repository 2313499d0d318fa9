/** Reads request bodies with a byte limit, refusing early when the declared length is too large. */
import type { IncomingMessage } from 'node:http';

/** A body read within the limit, the verdict that it was too large, or that the connection closed before it was complete. */
export type BodyResult = { readonly kind: 'ok'; readonly text: string } | { readonly kind: 'too-large' } | { readonly kind: 'aborted' };

/**
 * Reads a request body as UTF-8 up to `limit` bytes; a larger body is drained and reported as
 * `too-large`, and one cut short (the client left, or HTTP_REQUEST_TIMEOUT_MS closed the
 * connection) as `aborted`: the client's doing, with no one left to answer.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    // Nothing of it is kept; reading on lets the connection be reused for the 413 answer.
    req.resume();
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? { kind: 'too-large' } : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    // Node reports a connection closed mid-body as an `aborted` ECONNRESET on the request.
    req.on('error', (err: Error & { code?: string }) => (err.code === 'ECONNRESET' ? resolve({ kind: 'aborted' }) : reject(err)));
  });
}
