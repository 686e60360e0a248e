import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sameToken } from '../../platform/auth/secrets.js';
import { BadRequestError, UnauthorizedError } from '../../platform/errors.js';
import type { SecurityScheme } from '../../platform/service.js';
import type { AppRow } from './updates.repository.js';

export const APP_TOKEN_SCHEME: SecurityScheme = {
  type: 'apiKey',
  in: 'header',
  name: 'token',
  description:
    'The shared SECAPP_API_TOKEN, or the token of the app named in App-name when it has one of its own',
};
export const ADMIN_SCHEME: SecurityScheme = {
  type: 'http',
  scheme: 'bearer',
  description: 'CRITICALITY_ADMIN_TOKEN, as Authorization: Bearer <token>',
};

const APP_CHALLENGE = 'ApiKey realm="secapp", header="token"';
const ADMIN_REALM = 'secapp-admin';

/** The original's words for a refused token, kept so its clients read what they always did. */
export const BAD_TOKEN = { get: 'Valor incorrecto del API Token', post: 'Valor incorrecto del header Token' };
export const MISSING_APP_NAME = 'Falta el encabezado App-name';
export const MAX_APP_NAME = 255;

/** An app's own token: 256 random bits, shown once. */
export function newAppToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A token is a random 256-bit secret, not a password: a fast digest stores it safely, and a poll
 * can check it without spending the milliseconds a password hash costs.
 */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function header(request: FastifyRequest, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = request.headers[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * The App-name header, also spelled App_name as the original's consumer sent it. Node reads a
 * header as latin1, one character per byte; the input guard has made sure the bytes are UTF-8.
 */
export function appNameOf(request: FastifyRequest): string {
  const raw = header(request, 'app-name', 'app_name');
  return raw === undefined ? '' : Buffer.from(raw, 'latin1').toString('utf8').trim();
}

/** The token header, trimmed; empty when missing. */
export function tokenOf(request: FastifyRequest): string {
  return header(request, 'token')?.trim() ?? '';
}

/**
 * Who may speak for `appName` with the request's `token`: an app with a token of its own only
 * with that token, any other app with the shared one. The original checked the token before the
 * App-name header; so does this, as far as a token can be judged without knowing the app.
 */
export function checkAppToken(
  token: string,
  appName: string,
  app: AppRow | undefined,
  sharedToken: string,
  refusal: string,
): void {
  const refuse = (detail: string) => new UnauthorizedError(detail, APP_CHALLENGE);
  if (!token) throw refuse(refusal);
  if (!appName) {
    if (sameToken(token, sharedToken)) throw new BadRequestError(MISSING_APP_NAME);
    throw refuse(refusal);
  }
  if (appName.length > MAX_APP_NAME)
    throw new BadRequestError(`App-name is longer than ${MAX_APP_NAME} characters`);
  if (!app) {
    if (!sameToken(token, sharedToken)) throw refuse(refusal);
    return;
  }
  if (app.revoked) throw refuse(`App ${appName} has been revoked; an administrator can register it again`);
  if (timingSafeEqual(tokenDigest(token), app.token_digest)) return;
  if (sameToken(token, sharedToken))
    throw refuse(`App ${appName} has a token of its own; the shared token is not accepted for it`);
  throw refuse(refusal);
}

/** A preHandler letting through only `Authorization: Bearer <admin token>`. */
export function requireAdmin(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const given = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!given)
      throw new UnauthorizedError(
        'Not authenticated: send Authorization: Bearer <CRITICALITY_ADMIN_TOKEN>',
        `Bearer realm="${ADMIN_REALM}"`,
      );
    if (!sameToken(given, adminToken)) {
      const detail = 'The admin token is not valid';
      throw new UnauthorizedError(
        detail,
        `Bearer realm="${ADMIN_REALM}", error="invalid_token", error_description="${detail}"`,
      );
    }
  };
}
