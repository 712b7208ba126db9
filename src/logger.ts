import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured logs. Secrets and QuickBooks data never reach the log: the paths below are censored wherever
 * they appear, and code logs ids and counts, not payloads.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'setupCode',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'body',
  '*.body',
  'payload',
  '*.payload',
  'sessionSecret',
  'tokenEncryptionKey',
  'clientSecret',
  '*.clientSecret',
];

/**
 * Human-readable lines on a developer's terminal (when pino-pretty is installed); JSON lines everywhere
 * else (a service manager, a log shipper, CI).
 */
export function prettyDestination(): pino.DestinationStream | undefined {
  if (!process.stdout.isTTY) return undefined;
  try {
    return pino.transport({
      target: 'pino-pretty',
      options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app' },
    });
  } catch {
    return undefined;
  }
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'heavy-av' },
    },
    destination,
  );
}
