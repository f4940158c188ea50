import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Actor } from '../../access/actor';
import { Environment } from '../../platform/config/environment';
import { User } from '../entities/user.entity';
import type { AccessTokenClaims } from '../tokens.service';

/** The algorithm access tokens are signed with; any other (`none` included) is refused. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type VerifiedClaims = AccessTokenClaims & { iat?: number };

/**
 * `Authorization: Bearer <JWT>`: signature, algorithm, issuer, audience and
 * expiry checked by passport-jwt; then one primary-key read of the user, so a
 * disabled user, or a token older than the last password change, stops
 * working at once, and the actor carries the user's current roles.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    environment: Environment,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, made once: given the string, jsonwebtoken first tries to parse it as a public key on every
      // verification (which throws), about 0.8 ms of CPU per request. Its types lag: it takes a KeyObject.
      secretOrKey: createSecretKey(Buffer.from(environment.JWT_SECRET, 'utf8')) as unknown as Buffer,
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: environment.JWT_ISSUER,
      audience: environment.JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(claims: VerifiedClaims): Promise<Actor | false> {
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub) || typeof claims.iat !== 'number') return false;
    const user = await this.txHost.tx.getRepository(User).findOne({
      where: { id: claims.sub },
      select: { id: true, roles: true, organizationId: true, disabledAt: true, passwordChangedAt: true },
    });
    if (!user || user.disabledAt) return false;
    // iat has whole seconds: a token from the very second of the change stays valid.
    if (claims.iat < Math.floor(user.passwordChangedAt.getTime() / 1000)) return false;
    return { type: 'user', userId: user.id, organizationId: user.organizationId, roles: user.roles };
  }
}
