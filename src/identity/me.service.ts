import { Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { AuditRecorder } from '../audit/audit-recorder';
import type { ChangePasswordDto } from './dto/change-password.dto';
import type { ProfileDto } from './dto/profile.dto';
import { User } from './entities/user.entity';
import { ConcurrentPasswordChangeError } from './me.errors';
import { PasswordsService } from './passwords.service';
import { Reauthentication } from './reauthentication.service';
import { TokensService } from './tokens.service';

/** The signed-in user's own account: their profile and their password. */
@Injectable()
export class MeService {
  private readonly logger = new Logger(MeService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly passwords: PasswordsService,
    private readonly tokens: TokensService,
    private readonly reauthentication: Reauthentication,
    private readonly audit: AuditRecorder,
  ) {}

  async profile(actor: Actor): Promise<ProfileDto> {
    const user = await this.userOf(actor.userId);
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      roles: user.roles,
      organizationId: user.organizationId,
      mfaEnabled: user.mfaEnabled,
      createdAt: user.createdAt,
    };
  }

  /**
   * Confirms the current password, checks the new one against the policy
   * (with the email and organization name as context), then stores it and
   * ends every session: all refresh tokens are revoked and access tokens
   * issued before now stop working, this caller's included.
   */
  async changePassword(actor: Actor, change: ChangePasswordDto): Promise<void> {
    this.reauthentication.ensureUserSession(actor);
    const user = await this.userOf(actor.userId);
    await this.reauthentication.confirmPassword(actor, user, change.currentPassword);
    const passwordHash = await this.passwords.hashAcceptable(change.newPassword, {
      email: user.email,
      organizationName: user.organization?.name,
    });
    await this.storePassword(actor, user, passwordHash);
  }

  @Transactional()
  private async storePassword(actor: Actor, user: User, passwordHash: string): Promise<void> {
    // Conditional on the hash just verified: of two concurrent changes, the second is refused, not silently lost.
    const result = await this.txHost.tx
      .getRepository(User)
      .createQueryBuilder()
      .update()
      .set({ passwordHash, passwordChangedAt: () => 'now()' })
      .where('id = :id AND password_hash = :verifiedHash', { id: user.id, verifiedHash: user.passwordHash })
      .execute();
    if (result.affected !== 1) throw new ConcurrentPasswordChangeError();
    await this.tokens.endSessions(user.id);
    await this.audit.record({
      actor,
      action: 'user.password_changed',
      resource: { type: 'User', id: user.id },
      details: { refreshTokensRevoked: true },
    });
    this.logger.log({ event: 'user.password_changed', userId: user.id }, 'password changed; sessions revoked');
  }

  private async userOf(userId: string): Promise<User> {
    const user = await this.txHost.tx
      .getRepository(User)
      .findOne({ where: { id: userId }, relations: { organization: true } });
    if (!user) throw new ResourceNotFoundError('User');
    return user;
  }
}
