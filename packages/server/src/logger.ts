// Structured JSON logs (pino), one logger per gateway. Secrets never reach a log line: the request log
// writes named fields only (no headers, no variables), and the redaction below is the backstop for
// anything that logs a request or its parameters wholesale (an error with a request attached).
import pino, { type DestinationStream, type Logger } from 'pino';
import type { YogaServerOptions } from 'graphql-yoga';
import type { GatewayConfig } from './config.js';

export type { Logger };

const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  // Mutation variables carry card numbers and CVCs.
  'variables',
  '*.variables',
  'params.variables',
];

export function createLogger(
  config: Pick<GatewayConfig, 'logLevel' | 'mode'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'billing-gateway', mode: config.mode },
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

type YogaLogging = Exclude<
  NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['logging']>,
  boolean | string
>;

/** Yoga's own messages (chiefly: the original of every error it masks) as pino lines. */
export function yogaLogging(logger: Logger): YogaLogging {
  const yoga = logger.child({ component: 'yoga' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) yoga[level]({ err: first }, first.message);
      else yoga[level]({ details: rest.length ? rest : undefined }, String(first));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
