/** Structured JSON logging (pino) with credentials redacted wherever they could appear. */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values are replaced by `[redacted]` in every log line. */
export const REDACTED_PATHS = [
  'ak',
  'sk',
  'token',
  'securityToken',
  '*.ak',
  '*.sk',
  '*.token',
  '*.securityToken',
  '*.authorization',
  '*.Authorization',
  '*["x-auth-token"]',
  '*["x-security-token"]',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

/** Creates the process logger at a level; `destination` defaults to stdout. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cdn-url-tasks-gateway' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
