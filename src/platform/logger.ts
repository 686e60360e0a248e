import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './config.js';

export type Logger = PinoLogger;

/** JSON lines on stdout: what log shippers and `jq` expect. */
export function createLogger(level: LogLevel, name = 'crucible'): Logger {
  return pino({ name, level });
}
