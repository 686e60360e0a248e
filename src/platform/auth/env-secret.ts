import { ConfigError, envReader, type Env, type EnvVars } from '../config.js';
import type { Logger } from '../logger.js';

/** Shortest secret production accepts: 128 bits as base64 is 22 characters. */
const MIN_PRODUCTION_LENGTH = 22;

/**
 * A secret from the environment whose default in `vars` is a well-known development value, so
 * that `npm start` works at once and the README's curl calls run as written. Outside production
 * the default is taken with a warning saying how to set a real one; with `NODE_ENV=production` a
 * missing, default or short secret stops the start with a ConfigError naming the variable.
 */
export function secretFromEnv<V extends EnvVars>(
  env: Env,
  vars: V,
  name: keyof V & string,
  log: Logger,
): string {
  const value = envReader(env, vars).text(name);
  const isDefault = value === vars[name]!.default;
  if (env.NODE_ENV === 'production') {
    if (isDefault)
      throw new ConfigError(
        name,
        'is unset or the development default, which production refuses; set a random secret of your own (openssl rand -base64 32)',
      );
    if (value.length < MIN_PRODUCTION_LENGTH)
      throw new ConfigError(
        name,
        `is shorter than ${MIN_PRODUCTION_LENGTH} characters, which production refuses (openssl rand -base64 32 makes one)`,
      );
  } else if (isDefault) {
    log.warn(
      { variable: name, value },
      `${name} is not set: using the development value "${value}"; set ${name} before exposing this server (NODE_ENV=production refuses the default)`,
    );
  }
  return value;
}
