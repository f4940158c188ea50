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

/** What this service's access tokens always carry and the strategy relies on (iss and aud passport-jwt checks). */
type RequiredClaims = Pick<AccessTokenClaims, 'sub' | 'sid' | 'jti'> & { iat: number; exp: number };

type UserTokenState = Pick<User, 'sessionsEndedAt' | 'sessionKeptId'>;

/**
 * `Authorization: Bearer <JWT>`: signature, algorithm, issuer, audience and
 * expiry checked by passport-jwt; then the claims every token of ours carries
 * (a token without `exp` would never expire), and one primary-key read of the
 * user, so that a disabled user, or a token of a session ended since (password
 * or MFA change, disabling), stops working at once, and the actor carries the
 * user's current roles and the token's session.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly maxLifetimeSeconds: number;

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
    this.maxLifetimeSeconds = environment.ACCESS_TOKEN_TTL_SECONDS;
  }

  async validate(claims: Record<string, unknown>): Promise<Actor | false> {
    if (!this.isOurs(claims)) return false;
    const user = await this.txHost.tx.getRepository(User).findOne({
      where: { id: claims.sub },
      select: {
        id: true,
        roles: true,
        organizationId: true,
        disabledAt: true,
        sessionsEndedAt: true,
        sessionKeptId: true,
      },
    });
    if (!user || user.disabledAt || sessionEnded(user, claims)) return false;
    return {
      type: 'user',
      userId: user.id,
      organizationId: user.organizationId,
      roles: user.roles,
      sessionId: claims.sid,
    };
  }

  /** The claims every token this service issues carries, with a lifetime it could have issued. */
  private isOurs(claims: Record<string, unknown>): claims is RequiredClaims & Record<string, unknown> {
    const { sub, sid, jti, iat, exp } = claims;
    return (
      typeof sub === 'string' &&
      UUID.test(sub) &&
      typeof sid === 'string' &&
      UUID.test(sid) &&
      typeof jti === 'string' &&
      typeof iat === 'number' &&
      typeof exp === 'number' &&
      exp - iat <= this.maxLifetimeSeconds
    );
  }
}

/** Issued until the user's sessions were ended, and not by the session that ended them. */
function sessionEnded(user: UserTokenState, claims: RequiredClaims): boolean {
  if (!user.sessionsEndedAt || claims.sid === user.sessionKeptId) return false;
  // Our tokens' iat has milliseconds (a fractional NumericDate).
  return Math.round(claims.iat * 1000) <= user.sessionsEndedAt.getTime();
}
