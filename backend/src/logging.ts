import pino, { type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './config';

/** Paths pino removes from every log line, whatever logs them (ASVS 7.1.1: no credentials in logs). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-grafana-id"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  'config.auth',
  'config.database.url',
];

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: { service: 'cartae-secops' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '***REDACTED***' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** JSON lines on stdout, the format Alloy ships to Loki. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
