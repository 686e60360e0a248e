import type { FastifyRequest } from 'fastify';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { UnauthorizedError } from '../errors.js';
import type { SecurityScheme } from '../service.js';

/** What a verified token says: its subject, and the claims it was issued with. */
export interface Claims {
  sub: string;
  [claim: string]: unknown;
}

/** The login answer, in the OAuth 2 token response's names (RFC 6749 §5.1). */
export interface IssuedToken {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface BearerTokens {
  readonly realm: string;
  issue(subject: string, claims?: Record<string, unknown>): IssuedToken;
  /** The token's claims; throws UnauthorizedError when it is malformed, forged or expired. */
  verify(token: string): Claims;
}

export interface BearerOptions {
  /** The HMAC key shared by every instance that signs or verifies (at least 32 bytes). */
  secret: string;
  ttlSeconds: number;
  /** Names the protection space in WWW-Authenticate, and is the tokens' issuer. */
  realm: string;
}

/** The OpenAPI security scheme of these tokens, for the routes' `security` lists. */
export const BEARER_SCHEME: SecurityScheme = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' };

const challenge = (realm: string, error?: string, description?: string) =>
  `Bearer realm="${realm}"` +
  (error ? `, error="${error}"` : '') +
  (description ? `, error_description="${description}"` : '');

/** HS256 JSON Web Tokens that expire, issued at login and checked on each request. */
export function createBearerTokens(opts: BearerOptions): BearerTokens {
  if (Buffer.byteLength(opts.secret) < 32)
    throw new Error('the token secret must be at least 32 bytes (256 bits) for HS256');
  const sign = createSigner({
    key: opts.secret,
    algorithm: 'HS256',
    expiresIn: opts.ttlSeconds * 1000,
    iss: opts.realm,
  });
  const check = createVerifier({ key: opts.secret, algorithms: ['HS256'], allowedIss: opts.realm });
  return {
    realm: opts.realm,
    issue(subject, claims = {}) {
      return {
        access_token: sign({ ...claims, sub: subject }),
        token_type: 'bearer',
        expires_in: opts.ttlSeconds,
      };
    },
    verify(token) {
      let claims: Partial<Claims>;
      try {
        claims = check(token) as Partial<Claims>;
      } catch (err) {
        const expired = err instanceof TokenError && err.code === TokenError.codes.expired;
        const detail = expired ? 'The token has expired; log in again' : 'The token is not valid';
        throw new UnauthorizedError(detail, challenge(opts.realm, 'invalid_token', detail));
      }
      if (typeof claims.sub !== 'string') {
        const detail = 'The token names no subject';
        throw new UnauthorizedError(detail, challenge(opts.realm, 'invalid_token', detail));
      }
      return claims as Claims;
    },
  };
}

const principals = new WeakMap<FastifyRequest, Claims>();

/**
 * A preHandler that lets a request through only with a valid `Authorization: Bearer <token>`;
 * the route then reads who sent it with `principalOf(request)`. A missing header gets a bare
 * challenge, as RFC 6750 §3.1 asks, so a client knows to log in.
 */
export function requireBearer(tokens: BearerTokens) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (!header)
      throw new UnauthorizedError(
        'Not authenticated: send Authorization: Bearer <token>',
        challenge(tokens.realm),
      );
    const match = /^Bearer +([\w.~+/-]+=*) *$/i.exec(header);
    if (!match) {
      const detail = 'The Authorization header must be "Bearer <token>"';
      throw new UnauthorizedError(detail, challenge(tokens.realm, 'invalid_request', detail));
    }
    principals.set(request, tokens.verify(match[1]!));
  };
}

/** The verified claims of a request that passed `requireBearer`. */
export function principalOf(request: FastifyRequest): Claims {
  const claims = principals.get(request);
  if (!claims) throw new Error('principalOf: the route does not run requireBearer');
  return claims;
}
