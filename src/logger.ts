/**
 * Structured JSON logging (pino) with credentials kept out twice over: known fields are
 * redacted by path, and every line is scrubbed of the configured secret values and of
 * anything shaped like a signature, wherever they appear (messages, error stacks, causes).
 */
import pino, { type Logger } from 'pino';
import { createRedactor } from './cdn/redact';

export type { Logger } from 'pino';

/** Paths whose values are replaced by `[redacted]` in every log line. */
export const REDACTED_PATHS = [
  'ak',
  'sk',
  'token',
  'securityToken',
  'apiKey',
  'secret',
  'password',
  '*.ak',
  '*.sk',
  '*.token',
  '*.securityToken',
  '*.apiKey',
  '*.secret',
  '*.password',
  '*.authorization',
  '*.Authorization',
  '*["x-auth-token"]',
  '*["x-security-token"]',
  '*["x-api-key"]',
  '*.cookie',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-auth-token"]',
  'req.headers["x-security-token"]',
  'req.headers.cookie',
];

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Where lines go. @default stdout, written synchronously so nothing is lost at exit */
  readonly destination?: pino.DestinationStream;
  /** Secret values (AK, SK, tokens, API keys, JWT secret) to scrub from every line. */
  readonly secrets?: ReadonlyArray<string | undefined>;
  /** Fields added to every line, fresh for each (the active span's `trace_id` and `span_id` when tracing is on: src/telemetry/log-fields.ts). */
  readonly mixin?: () => Record<string, unknown>;
}

/** Creates the process logger at a level; a destination stream may be given directly (tests). */
export function createLogger(level: string, options: LoggerOptions | pino.DestinationStream = {}): Logger {
  const { destination, secrets, mixin } = isStream(options) ? { destination: options, secrets: undefined, mixin: undefined } : options;
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  const redact = createRedactor(secrets ?? []);
  return pino(
    {
      level,
      base: { service: 'cdn-url-tasks-gateway' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(mixin ? { mixin } : {}),
    },
    { write: (line: string) => out.write(redact(line)) },
  );
}

// Tells a destination stream from an options object.
function isStream(value: LoggerOptions | pino.DestinationStream): value is pino.DestinationStream {
  return typeof (value as pino.DestinationStream).write === 'function';
}
