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

export type TokenSubject = Pick<User, 'id' | 'roles' | 'organizationId'>;

export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Issues access tokens (JWT, verified by the 'jwt' passport strategy) and
 * opaque refresh tokens, stored only as SHA-256. Every method joins the
 * caller's transaction.
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

  /** A pair for a new login, opening a new refresh-token family, or the next pair of `familyId`. */
  async issue(user: TokenSubject, familyId: string = randomUUID()): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert({
      userId: user.id,
      familyId,
      tokenHash: refreshTokenHash(refreshToken),
      expiresAt: new Date(Date.now() + this.environment.REFRESH_TOKEN_TTL_SECONDS * 1000),
    });
    const claims: Omit<AccessTokenClaims, 'sub' | 'jti'> = { roles: user.roles, org: user.organizationId };
    const accessToken = await this.jwt.signAsync(claims, { subject: user.id, jwtid: randomUUID() });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.environment.ACCESS_TOKEN_TTL_SECONDS };
  }

  /**
   * Spends `token` if it is live, in one conditional UPDATE: of N concurrent
   * callers with the same token exactly one gets its family back; the others,
   * blocked on the row until the winner commits, then find it spent (null).
   */
  async spend(token: string): Promise<RefreshTokenFamily | null> {
    const result = await this.refreshTokens
      .createQueryBuilder()
      .update()
      .set({ spentAt: () => 'now()' })
      .where('token_hash = :hash AND spent_at IS NULL AND revoked_at IS NULL AND expires_at > now()', {
        hash: refreshTokenHash(token),
      })
      .returning('user_id, family_id')
      .execute();
    return familyOf(result.raw);
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
   * Every refresh token of the user stops working: call it in the transaction
   * that changes their password or disables them. Their access tokens stop
   * working as well: the 'jwt' strategy refuses a disabled user and a token
   * issued before the last password change.
   */
  async revokeAllForUser(userId: string): Promise<void> {
    await this.refreshTokens
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL', { userId })
      .execute();
  }
}

function familyOf(rows: unknown): RefreshTokenFamily | null {
  const [row] = rows as { user_id: string; family_id: string }[];
  return row ? { userId: row.user_id, familyId: row.family_id } : null;
}
