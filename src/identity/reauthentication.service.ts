import { Injectable, Logger } from '@nestjs/common';
import { AccessDenials } from '../access/access-denials';
import type { Actor } from '../access/actor';
import { AuditRecorder } from '../audit/audit-recorder';
import { AccountLockout } from './account-lockout.service';
import type { User } from './entities/user.entity';
import { CurrentPasswordIncorrectError, UserSessionRequiredError } from './me.errors';
import { PasswordsService } from './passwords.service';

/**
 * A signed-in user proves again who they are with their current password
 * before a credential changes. A wrong password counts towards the account
 * lockout like a failed login, so a stolen access token is no way around it.
 * Call it before the use case's transaction: argon2 takes tens of
 * milliseconds, and the failure must be counted although the change is refused.
 */
@Injectable()
export class Reauthentication {
  private readonly logger = new Logger(Reauthentication.name);

  constructor(
    private readonly passwords: PasswordsService,
    private readonly lockout: AccountLockout,
    private readonly audit: AuditRecorder,
    private readonly denials: AccessDenials,
  ) {}

  /** Credentials change only in a user's own session: an API key acting for them may not (403). */
  ensureUserSession(actor: Actor): void {
    if (actor.type === 'user') return;
    this.denials.record({ principal: actor, status: 403, reason: 'credentials cannot be changed with an API key' });
    throw new UserSessionRequiredError();
  }

  async confirmPassword(actor: Actor, user: User, password: string): Promise<void> {
    const matches = await this.passwords.verify(user.passwordHash, password);
    if (matches && !this.lockout.isLocked(user)) return;
    await this.recordFailure(actor, user.id, matches ? 'account locked' : 'wrong password');
    throw new CurrentPasswordIncorrectError();
  }

  /**
   * Counts a failed proof (a wrong password, or a wrong one-time code after a
   * right password) towards the lockout and records it. Call it outside the
   * refused change's transaction, which rolls back.
   */
  async recordFailure(actor: Actor, userId: string, reason: string): Promise<void> {
    await this.lockout.recordFailure(userId);
    await this.audit.recordStandalone({
      actor,
      action: 'user.reauthentication_failed',
      resource: { type: 'User', id: userId },
      outcome: 'failure',
      details: { reason },
    });
    this.logger.warn({ event: 'user.reauthentication_failed', userId, reason }, 'credential change not confirmed');
  }
}
