/**
 * Keeps credentials out of messages: anything that reaches an error, a log or an event
 * passes through a redactor built from the configured secrets.
 */

/** Replaces secrets in a text with `[redacted]`. */
export type Redactor = (text: string) => string;

// Signatures and `Access=` fields are scrubbed by shape too, in case an upstream echoes a header.
const AUTH_FIELDS = /(Access=|Signature=)[^,\s"]+/g;
const HEX_SIGNATURE = /\b[0-9a-f]{64}\b/g;

/** Creates a redactor that hides the given secrets (values shorter than 4 characters are ignored). */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const known = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join('[redacted]');
    return out.replace(AUTH_FIELDS, '$1[redacted]').replace(HEX_SIGNATURE, '[redacted]');
  };
}
