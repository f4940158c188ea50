import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Environment } from '../platform/config/environment';
import type { User } from './entities/user.entity';

/**
 * Per-account brute-force protection: LOGIN_MAX_FAILURES consecutive failures
 * lock the account for LOGIN_LOCKOUT_SECONDS. Counting is one atomic UPDATE,
 * so concurrent failures are all counted. Plain SQL on purpose: this
 * bookkeeping must not bump the user's `version` (its ETag) or `updatedAt`,
 * as TypeORM's update would.
 */
@Injectable()
export class AccountLockout {
  constructor(
    private readonly environment: Environment,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  isLocked(user: Pick<User, 'lockedUntil'>, now = new Date()): boolean {
    return user.lockedUntil !== null && user.lockedUntil > now;
  }

  /**
   * Counts one failure; the one reaching the limit locks the account and
   * restarts the count. Failures while locked are not counted (the lock does
   * not extend itself), but the statement still runs, so a locked account
   * costs what any wrong password costs.
   */
  async recordFailure(userId: string): Promise<void> {
    await this.txHost.tx.query(
      `UPDATE users SET
         failed_login_count = CASE WHEN failed_login_count + 1 >= $2 THEN 0 ELSE failed_login_count + 1 END,
         locked_until = CASE WHEN failed_login_count + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
       WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now())`,
      [userId, this.environment.LOGIN_MAX_FAILURES, this.environment.LOGIN_LOCKOUT_SECONDS],
    );
  }

  /** A successful login clears the count; writes only when there is something to clear. */
  async reset(user: Pick<User, 'id' | 'failedLoginCount' | 'lockedUntil'>): Promise<void> {
    if (user.failedLoginCount === 0 && user.lockedUntil === null) return;
    await this.txHost.tx.query('UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE id = $1', [user.id]);
  }
}
