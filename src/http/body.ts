/** Reads request bodies with a byte limit, refusing early when the declared length is too large. */
import type { IncomingMessage } from 'node:http';

/** A body read within the limit, or the verdict that it was too large. */
export type BodyResult = { readonly kind: 'ok'; readonly text: string } | { readonly kind: 'too-large' };

/** Reads a request body as UTF-8 up to `limit` bytes; a larger body is drained and reported as `too-large`. */
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
    req.on('error', reject);
  });
}
