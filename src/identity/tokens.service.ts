import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Role } from '../access/roles';
import { Environment } from '../platform/config/environment';
import { RefreshToken } from './entities/refresh-token.entity';
import type { User } from './entities/user.entity';

/** The claims of an access token besides iss, aud, iat and exp. */
export interface AccessTokenClaims {
  sub: string;
  roles: Role[];
  /** The user's organization id; null for staff. */
  org: string | null;
  /** The session (login) the token belongs to: its refresh-token family. */
  sid: string;
  jti: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Lifetime of the access token, in seconds. */
  expiresIn: number;
}

/** The login (family) a refresh token belongs to. */
export interface RefreshTokenFamily {
  userId: string;
  familyId: string;
}

/** A login a refresh token was spent in: the next token continues it, up to its end. */
export interface SpentRefreshToken extends RefreshTokenFamily {
  sessionExpiresAt: Date;
}

export type TokenSubject = Pick<User, 'id' | 'roles' | 'organizationId'>;

export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Issues access tokens (JWT, verified by the 'jwt' passport strategy) and
 * opaque refresh tokens, stored only as SHA-256, and ends sessions. A session
 * is one login: its refresh-token family, named by the access tokens' `sid`.
 * Every method joins the caller's transaction.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly environment: Environment,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  private get refreshTokens() {
    return this.txHost.tx.getRepository(RefreshToken);
  }

  /**
   * A pair for a new login, opening a new session (refresh-token family) that
   * ends SESSION_ABSOLUTE_LIFETIME_SECONDS from now, or the next pair of the
   * login `continued` was spent in. The refresh token expires at the earlier
   * of its own lifetime and the login's end: rotation never extends a login.
   */
  async issue(user: TokenSubject, continued?: SpentRefreshToken): Promise<TokenPair> {
    const now = Date.now();
    const familyId = continued?.familyId ?? randomUUID();
    const sessionExpiresAt =
      continued?.sessionExpiresAt ?? new Date(now + this.environment.SESSION_ABSOLUTE_LIFETIME_SECONDS * 1000);
    const idleExpiry = now + this.environment.REFRESH_TOKEN_TTL_SECONDS * 1000;
    const refreshToken = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert({
      userId: user.id,
      familyId,
      tokenHash: refreshTokenHash(refreshToken),
      expiresAt: new Date(Math.min(idleExpiry, sessionExpiresAt.getTime())),
      sessionExpiresAt,
    });
    const claims: Omit<AccessTokenClaims, 'sub' | 'jti'> = {
      roles: user.roles,
      org: user.organizationId,
      sid: familyId,
    };
    // `iat` to the millisecond (RFC 7519 allows a fractional NumericDate): whole seconds would let a token
    // issued earlier in the very second its session ended stay valid (see endSessions).
    const accessToken = await this.jwt.signAsync(
      { ...claims, iat: Date.now() / 1000 },
      { subject: user.id, jwtid: randomUUID() },
    );
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.environment.ACCESS_TOKEN_TTL_SECONDS };
  }

  /**
   * Spends `token` if it is live, in one conditional UPDATE: of N concurrent
   * callers with the same token exactly one gets its login back; the others,
   * blocked on the row until the winner commits, then find it spent (null).
   */
  async spend(token: string): Promise<SpentRefreshToken | null> {
    const hash = refreshTokenHash(token);
    // The holder's row first, shared: endSessions, which updates it, cannot run between this spend and the
    // insert of the next token, where its revocation would miss that token. (Refreshes do not wait for each other.)
    await this.txHost.tx.query(
      'SELECT 1 FROM users WHERE id = (SELECT user_id FROM refresh_tokens WHERE token_hash = $1) FOR SHARE',
      [hash],
    );
    const result = await this.refreshTokens
      .createQueryBuilder()
      .update()
      .set({ spentAt: () => 'now()' })
      .where('token_hash = :hash AND spent_at IS NULL AND revoked_at IS NULL AND expires_at > now()', { hash })
      .returning('user_id, family_id, session_expires_at')
      .execute();
    const [row] = result.raw as { user_id: string; family_id: string; session_expires_at: Date }[];
    return row ? { userId: row.user_id, familyId: row.family_id, sessionExpiresAt: row.session_expires_at } : null;
  }

  /**
   * Reuse detection: when `token` was already spent or revoked, revokes every
   * token of its family and returns the family; null for an unknown token or
   * one that merely expired unused.
   */
  async revokeFamilyIfReused(token: string): Promise<RefreshTokenFamily | null> {
    const presented = await this.refreshTokens.findOne({
      where: { tokenHash: refreshTokenHash(token) },
      select: { userId: true, familyId: true, spentAt: true, revokedAt: true },
    });
    if (!presented || (!presented.spentAt && !presented.revokedAt)) return null;
    await this.revokeFamily(presented.familyId);
    return { userId: presented.userId, familyId: presented.familyId };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.refreshTokens
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
  }

  /** Logout: revokes the family of `token`; null when the token is unknown. */
  async revokeFamilyOf(token: string): Promise<RefreshTokenFamily | null> {
    const presented = await this.refreshTokens.findOne({
      where: { tokenHash: refreshTokenHash(token) },
      select: { userId: true, familyId: true },
    });
    if (!presented) return null;
    await this.revokeFamily(presented.familyId);
    return { userId: presented.userId, familyId: presented.familyId };
  }

  /**
   * Ends the user's sessions, all of them or all but `keptSessionId` (the
   * session making the change): their refresh tokens are revoked, and the
   * 'jwt' strategy refuses their access tokens issued until now (by this
   * process's clock, which stamps `iat` too). Call it in the transaction of
   * the change (a password change, an MFA change, disabling), which holds the
   * user's row: a refresh or login of this user waits for it (see spend and
   * AuthService.completeLogin), so no session can start or rotate unseen.
   */
  async endSessions(userId: string, keptSessionId: string | null = null): Promise<void> {
    // Plain SQL: bookkeeping, not an edit of the user (no version or updatedAt bump, so no ETag change).
    await this.txHost.tx.query(`UPDATE users SET sessions_ended_at = $3, session_kept_id = $2 WHERE id = $1`, [
      userId,
      keptSessionId,
      new Date(),
    ]);
    const revocation = this.refreshTokens
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (keptSessionId !== null) revocation.andWhere('family_id <> :keptSessionId', { keptSessionId });
    await revocation.execute();
  }
}
