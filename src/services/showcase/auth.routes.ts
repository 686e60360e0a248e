import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { clearAttempts, limitAttempts } from '../../platform/auth/attempts.js';
import type { BearerTokens } from '../../platform/auth/bearer.js';
import { hashSecret, verifySecret } from '../../platform/auth/secrets.js';
import { BadRequestError, UnauthorizedError } from '../../platform/errors.js';
import { problems } from '../../platform/http/schemas.js';
import type { ServiceContext } from '../../platform/service.js';
import { LoginBody, SignupBody, TokenOut, UserOut } from './auth.schema.js';
import type { ShowcaseConfig } from './config.js';
import * as users from './users.repository.js';

const tags = ['showcase: auth'];

/** The original's words, which its clients show as they are. */
export const MESSAGES = {
  passwordsDiffer: 'Las contraseñas no coinciden.',
  emailTaken: 'Email ya está registrado.',
  badCredentials: 'Credenciales inválidas.',
  tooManyLogins: 'Demasiados intentos de inicio de sesión; espere antes de volver a intentarlo.',
};

const place = (value: string | null | undefined) => {
  const text = value?.normalize('NFC').trim();
  return text ? text : null;
};

export async function authRoutes(
  scope: FastifyInstance,
  { db }: ServiceContext,
  tokens: BearerTokens,
  config: ShowcaseConfig,
) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/auth/signup',
    {
      schema: {
        tags,
        summary: 'Sign up a player',
        body: SignupBody,
        response: { 201: UserOut, ...problems(413, 415, 422) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.password1 !== body.password2) throw new BadRequestError(MESSAGES.passwordsDiffer);
      const email = body.email.trim().toLowerCase();
      // Checked before the hash, so a taken address costs no 20 ms of argon2; the insert still
      // decides between two sign-ups racing for one address.
      if (await users.emailTaken(db, email)) throw new BadRequestError(MESSAGES.emailTaken);
      const user = await users.insertUser(db, {
        first_name: body.first_name.normalize('NFC').trim() || body.first_name,
        last_name: body.last_name.normalize('NFC').trim() || body.last_name,
        email,
        city: place(body.city),
        country: place(body.country),
        password_hash: await hashSecret(body.password1),
      });
      if (!user) throw new BadRequestError(MESSAGES.emailTaken);
      return reply.code(201).send(user);
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags,
        summary: 'Log in: a bearer token that expires after expires_in seconds',
        description:
          'Attempts are limited per account and per client address; over the limit the answer is 429 with Retry-After.',
        body: LoginBody,
        response: { 200: TokenOut, ...problems(401, 413, 415, 422, 429) },
      },
    },
    async (request) => {
      const email = request.body.email.trim().toLowerCase();
      const account = `showcase:login:account:${email}`;
      const window = { windowSeconds: config.loginWindowSeconds };
      await limitAttempts(
        db,
        [account],
        { ...window, limit: config.loginAccountLimit },
        MESSAGES.tooManyLogins,
      );
      await limitAttempts(
        db,
        [`showcase:login:address:${request.ip}`],
        { ...window, limit: config.loginAddressLimit },
        MESSAGES.tooManyLogins,
      );
      const user = await users.findLogin(db, email);
      if (!(await verifySecret(user?.password_hash, request.body.password)) || !user)
        throw new UnauthorizedError(MESSAGES.badCredentials, `Bearer realm="${tokens.realm}"`);
      // The account's count starts over; the address's does not, or one good account would
      // let an address guess others without end.
      await clearAttempts(db, account);
      return tokens.issue(String(user.id));
    },
  );
}
