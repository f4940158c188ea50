import { Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { AuditRecorder } from '../audit/audit-recorder';
import { Environment } from '../platform/config/environment';
import type { DisableMfaDto } from './dto/disable-mfa.dto';
import type { MfaSetupDto } from './dto/mfa-setup.dto';
import type { RecoveryCodesDto } from './dto/recovery-codes.dto';
import { RecoveryCode } from './entities/recovery-code.entity';
import { User } from './entities/user.entity';
import {
  InvalidConfirmationOtpError,
  InvalidOtpError,
  MfaAlreadyEnabledError,
  MfaNotEnabledError,
  MfaRequiredError,
  MfaSetupRequiredError,
} from './mfa.errors';
import { Reauthentication } from './reauthentication.service';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes';
import { TokensService } from './tokens.service';
import { matchingTimeStep, newTotpSecret, TOTP_CODE, totpUri } from './totp';

/** What TypeORM's `query` returns for an UPDATE on PostgreSQL: the RETURNING rows and the count. */
type UpdateResultRows = [rows: unknown[], affected: number];

/**
 * TOTP second factor (RFC 6238) with single-use recovery codes. Turning it on
 * or off is a change of credentials: every other session of the user ends,
 * only the one making the change goes on. The secret is encrypted at rest
 * (User.mfaSecret's column transformer). A code is accepted
 * once: the last accepted time step is stored and a code at or before it is
 * refused, checked and stored in one conditional UPDATE so that concurrent
 * logins with one code cannot both pass. Every change locks the user's row
 * first, so setup, enable and disable cannot interleave.
 */
@Injectable()
export class MfaService {
  private readonly logger = new Logger(MfaService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly environment: Environment,
    private readonly reauthentication: Reauthentication,
    private readonly tokens: TokensService,
    private readonly audit: AuditRecorder,
  ) {}

  /** A new secret, pending until confirmed by `enable`; replaces an earlier pending one. */
  @Transactional()
  async setup(actor: Actor): Promise<MfaSetupDto> {
    this.reauthentication.ensureUserSession(actor);
    const user = await this.lockedUser(actor.userId);
    if (user.mfaEnabled) throw new MfaAlreadyEnabledError();
    const secret = newTotpSecret();
    await this.users.update({ id: user.id }, { mfaSecret: secret, mfaLastUsedStep: null });
    await this.audit.record({ actor, action: 'user.mfa_setup_started', resource: { type: 'User', id: user.id } });
    this.logger.log({ event: 'user.mfa_setup_started', userId: user.id }, 'MFA setup started');
    return { secret, otpauthUrl: totpUri(this.environment.MFA_ISSUER, user.email, secret) };
  }

  /** Turns MFA on once a code of the pending secret proves the app holds it; returns the recovery codes, once. */
  @Transactional()
  async enable(actor: Actor, otp: string): Promise<RecoveryCodesDto> {
    this.reauthentication.ensureUserSession(actor);
    const user = await this.lockedUser(actor.userId);
    if (user.mfaEnabled) throw new MfaAlreadyEnabledError();
    if (!user.mfaSecret) throw new MfaSetupRequiredError();
    if (!(await this.acceptTotp(user, otp))) throw new InvalidConfirmationOtpError();

    const recoveryCodes = newRecoveryCodes();
    await this.recoveryCodes.delete({ userId: user.id });
    await this.recoveryCodes.insert(
      recoveryCodes.map((code) => ({ userId: user.id, codeHash: recoveryCodeHash(code) })),
    );
    await this.users.update({ id: user.id }, { mfaEnabled: true });
    await this.tokens.endSessions(user.id, actor.sessionId ?? null);
    await this.audit.record({
      actor,
      action: 'user.mfa_enabled',
      resource: { type: 'User', id: user.id },
      changes: { before: { mfaEnabled: false }, after: { mfaEnabled: true } },
      details: { otherSessionsEnded: true },
    });
    this.logger.log({ event: 'user.mfa_enabled', userId: user.id }, 'MFA enabled');
    return { recoveryCodes };
  }

  /**
   * Turns MFA off. Needs both the current password and a current code (or a
   * recovery code): a stolen access token alone, or a stolen phone alone,
   * cannot remove the second factor. A wrong code counts towards the lockout.
   */
  async disable(actor: Actor, confirmation: DisableMfaDto): Promise<void> {
    this.reauthentication.ensureUserSession(actor);
    const user = await this.userOf(actor.userId);
    if (!user.mfaEnabled) throw new MfaNotEnabledError();
    await this.reauthentication.confirmPassword(actor, user, confirmation.currentPassword);
    try {
      await this.disableWithFactor(actor, confirmation.otp);
    } catch (error) {
      // Else, with the password, codes could be guessed here without limit.
      if (error instanceof InvalidOtpError) await this.reauthentication.recordFailure(actor, user.id, 'invalid otp');
      throw error;
    }
  }

  /**
   * The second step of a login, for the auth service: nothing to do when the
   * account has MFA off; else `otp` must be a current TOTP code not used
   * before, or an unused recovery code, which is spent. Joins the caller's
   * transaction, or runs in its own.
   */
  @Transactional()
  async verifyLoginFactor(user: User, otp?: string): Promise<void> {
    if (!user.mfaEnabled) return;
    if (otp === undefined) throw new MfaRequiredError();
    if (!(await this.acceptFactor(await this.userWithSecret(user.id), otp))) throw new InvalidOtpError();
  }

  @Transactional()
  private async disableWithFactor(actor: Actor, otp: string): Promise<void> {
    const user = await this.lockedUser(actor.userId);
    if (!user.mfaEnabled) throw new MfaNotEnabledError();
    if (!(await this.acceptFactor(user, otp))) throw new InvalidConfirmationOtpError();
    await this.recoveryCodes.delete({ userId: user.id });
    await this.users.update({ id: user.id }, { mfaEnabled: false, mfaSecret: null, mfaLastUsedStep: null });
    await this.tokens.endSessions(user.id, actor.sessionId ?? null);
    await this.audit.record({
      actor,
      action: 'user.mfa_disabled',
      resource: { type: 'User', id: user.id },
      changes: { before: { mfaEnabled: true }, after: { mfaEnabled: false } },
      details: { otherSessionsEnded: true },
    });
    this.logger.log({ event: 'user.mfa_disabled', userId: user.id }, 'MFA disabled');
  }

  /** A six-digit code is a TOTP code; anything else is tried as a recovery code. */
  private async acceptFactor(user: User, code: string): Promise<boolean> {
    if (TOTP_CODE.test(code)) return this.acceptTotp(user, code);
    return this.spendRecoveryCode(user, code);
  }

  /** Valid within ±1 step and later than the last accepted step, which it then becomes. */
  private async acceptTotp(user: User, code: string): Promise<boolean> {
    if (!user.mfaSecret) return false;
    const step = await matchingTimeStep(user.mfaSecret, code);
    if (step === null) return false;
    // Plain SQL: bookkeeping must not bump the user's version (its ETag) or updatedAt.
    const [, affected] = await this.txHost.tx.query<UpdateResultRows>(
      `UPDATE users SET mfa_last_used_step = $2
       WHERE id = $1 AND (mfa_last_used_step IS NULL OR mfa_last_used_step < $2)`,
      [user.id, step],
    );
    return affected === 1;
  }

  private async spendRecoveryCode(user: User, code: string): Promise<boolean> {
    const [, affected] = await this.txHost.tx.query<UpdateResultRows>(
      `UPDATE mfa_recovery_codes SET used_at = now()
       WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [user.id, recoveryCodeHash(code)],
    );
    if (affected !== 1) return false;
    await this.audit.record({
      actor: { type: 'user', userId: user.id, organizationId: user.organizationId, roles: user.roles },
      action: 'user.mfa_recovery_code_used',
      resource: { type: 'User', id: user.id },
    });
    this.logger.log({ event: 'user.mfa_recovery_code_used', userId: user.id }, 'MFA recovery code used');
    return true;
  }

  private async userOf(userId: string): Promise<User> {
    return found(await this.users.findOne({ where: { id: userId } }));
  }

  private async userWithSecret(userId: string): Promise<User> {
    return found(await this.withSecret(userId).getOne());
  }

  /** Taken first by every change of MFA state, so that setup, enable and disable cannot interleave. */
  private async lockedUser(userId: string): Promise<User> {
    return found(await this.withSecret(userId).setLock('pessimistic_write').getOne());
  }

  /** The secret column is not loaded by default. */
  private withSecret(userId: string) {
    return this.users.createQueryBuilder('user').addSelect('user.mfaSecret').where('user.id = :userId', { userId });
  }

  private get users() {
    return this.txHost.tx.getRepository(User);
  }

  private get recoveryCodes() {
    return this.txHost.tx.getRepository(RecoveryCode);
  }
}

function found(user: User | null): User {
  if (!user) throw new ResourceNotFoundError('User');
  return user;
}
