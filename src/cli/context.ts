import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { createLogger, type Logger } from '../platform/logger.js';
import type { ServiceModule } from '../platform/service.js';
import { SERVICES } from '../services/registry.js';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** A usage or configuration error: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {}

export function pickServices(names: string[] | undefined): ServiceModule[] {
  if (!names || names.length === 0) return SERVICES;
  const known = SERVICES.map((s) => s.name);
  return names.map((name) => {
    const found = SERVICES.find((s) => s.name === name);
    if (!found) throw new UsageError(`unknown service "${name}"; known: ${known.join(', ')}`);
    return found;
  });
}

export function setup(
  env: Record<string, string | undefined>,
  overrides: Partial<Record<string, string>> = {},
): { config: Config; log: Logger } {
  let config: Config;
  try {
    config = loadConfig({ ...env, ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`invalid configuration: ${err.message}`);
    throw err;
  }
  return { config, log: createLogger(config.logLevel) };
}

export const splitList = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
