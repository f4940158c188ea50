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
    await this.lockout.recordFailure(user.id);
    await this.audit.recordStandalone({
      actor,
      action: 'user.reauthentication_failed',
      resource: { type: 'User', id: user.id },
      outcome: 'failure',
      details: { reason: matches ? 'account locked' : 'wrong password' },
    });
    this.logger.warn({ event: 'user.reauthentication_failed', userId: user.id }, 'current password not confirmed');
    throw new CurrentPasswordIncorrectError();
  }
}
