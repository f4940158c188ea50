import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Actor } from '../access/actor';
import { AuditRecorder } from '../audit/audit-recorder';
import { auditChanges } from '../audit/audit-redaction';
import { Environment } from '../platform/config/environment';
import { AccountLockout } from './account-lockout.service';
import { InvalidCredentialsError, InvalidRefreshTokenError, SignupDisabledError } from './auth.errors';
import type { LoginDto } from './dto/login.dto';
import type { RegisterDto } from './dto/register.dto';
import type { RegisteredAccountDto } from './dto/registered-account.dto';
import { User } from './entities/user.entity';
import { InvalidOtpError } from './mfa.errors';
import { MfaService } from './mfa.service';
import { PasswordsService } from './passwords.service';
import { type RefreshTokenFamily, type TokenPair, TokensService } from './tokens.service';
import { UserAccounts } from './user-accounts.service';

type Rotation = { kind: 'rotated'; pair: TokenPair } | { kind: 'refused' };

/** Why a login failed: in the log and the audit trail, never in the answer. */
type LoginFailure = 'unknown_email' | 'wrong_password' | 'account_locked' | 'account_disabled' | 'invalid_otp';

/**
 * Registration, login, refresh and logout. Passwords are hashed and verified
 * outside transactions (argon2 takes tens of milliseconds); each state
 * change commits with its audit event, and failures are recorded in their own
 * transaction, which the refusal does not roll back.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly environment: Environment,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly passwords: PasswordsService,
    private readonly tokens: TokensService,
    private readonly lockout: AccountLockout,
    private readonly accounts: UserAccounts,
    private readonly mfa: MfaService,
    private readonly audit: AuditRecorder,
  ) {}

  /** A new customer organization and its first user, its org_admin. */
  async register(registration: RegisterDto): Promise<RegisteredAccountDto> {
    if (!this.environment.SIGNUP_ENABLED) throw new SignupDisabledError();
    const passwordHash = await this.passwords.hashAcceptable(registration.password, {
      email: registration.email,
      organizationName: registration.organizationName,
    });
    return this.createCustomerAccount(registration, passwordHash);
  }

  @Transactional()
  private async createCustomerAccount(registration: RegisterDto, passwordHash: string): Promise<RegisteredAccountDto> {
    const organization = await this.accounts.createOrganization(registration.organizationName);
    const user = await this.accounts.createUser({
      email: registration.email,
      displayName: registration.displayName,
      passwordHash,
      roles: ['org_admin'],
      organizationId: organization.id,
    });
    const account: RegisteredAccountDto = {
      organization: { id: organization.id, name: organization.name },
      user: {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        roles: user.roles,
        organizationId: organization.id,
      },
    };
    await this.audit.record({
      actor: null,
      action: 'organization.created',
      resource: { type: 'Organization', id: organization.id },
      changes: auditChanges(null, account.organization),
      details: { via: 'registration' },
    });
    await this.audit.record({
      actor: null,
      action: 'auth.registered',
      resource: { type: 'User', id: user.id },
      changes: auditChanges(null, account.user),
    });
    this.logger.log(
      { event: 'auth.registered', userId: user.id, organizationId: organization.id },
      'account registered',
    );
    return account;
  }

  /**
   * Unknown email, wrong password, locked or disabled account: the same 401,
   * after the same argon2 verification, so neither the answer nor its timing
   * tells whether the account exists. A wrong one-time code counts as a
   * failure too (it would otherwise be guessable without limit).
   */
  async login(credentials: LoginDto): Promise<TokenPair> {
    const user = await this.findByEmail(credentials.email);
    const passwordMatches = user
      ? await this.passwords.verify(user.passwordHash, credentials.password)
      : await this.passwords.verifyNothing(credentials.password);
    const failure = this.credentialFailure(user, passwordMatches);
    if (failure || !user) {
      await this.recordFailedLogin(user, credentials.email, failure ?? 'unknown_email');
      throw new InvalidCredentialsError();
    }
    try {
      return await this.completeLogin(user, credentials.otp);
    } catch (error) {
      if (error instanceof InvalidOtpError) await this.recordFailedLogin(user, credentials.email, 'invalid_otp');
      throw error;
    }
  }

  private credentialFailure(user: User | null, passwordMatches: boolean): LoginFailure | null {
    if (!user) return 'unknown_email';
    if (this.lockout.isLocked(user)) return 'account_locked';
    if (!passwordMatches) return 'wrong_password';
    if (user.disabledAt) return 'account_disabled';
    return null;
  }

  @Transactional()
  private async recordFailedLogin(user: User | null, email: string, reason: LoginFailure): Promise<void> {
    if (user) await this.lockout.recordFailure(user.id);
    await this.audit.record({
      actor: null,
      action: 'auth.login_failed',
      outcome: 'failure',
      resource: { type: 'User', id: user?.id ?? null },
      details: { email, reason },
    });
    this.logger.warn({ event: 'auth.login_failed', userId: user?.id ?? null, reason }, 'login failed');
  }

  /**
   * The second factor (MfaService, nothing when MFA is off), then the tokens,
   * on the user's row as it is now, locked: a password or MFA change or a
   * disabling that committed since the password was checked is seen here (and
   * refuses the login), one still running waits for this login to commit and
   * then ends its session with the others.
   */
  @Transactional()
  private async completeLogin(verified: User, otp: string | undefined): Promise<TokenPair> {
    const user = await this.txHost.tx
      .getRepository(User)
      .findOne({ where: { id: verified.id }, lock: { mode: 'for_no_key_update' } });
    if (!user || user.passwordHash !== verified.passwordHash || user.disabledAt) throw new InvalidCredentialsError();
    await this.mfa.verifyLoginFactor(user, otp);
    await this.lockout.reset(user);
    const pair = await this.tokens.issue(user);
    await this.audit.record({
      actor: actorOf(user),
      action: 'auth.login_succeeded',
      resource: { type: 'User', id: user.id },
      details: { mfa: user.mfaEnabled },
    });
    this.logger.log({ event: 'auth.login_succeeded', userId: user.id }, 'login succeeded');
    return pair;
  }

  /**
   * Exchanges a refresh token for the next pair of its family. A spent or
   * revoked token revokes the whole family (reuse detection), and so does
   * every loser of concurrent refreshes with one token: strict by design, as
   * a legitimate client never presents one token twice, and the winner's new
   * token is revoked with the rest, so that client must sign in again.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const rotation = await this.rotate(refreshToken);
    if (rotation.kind === 'refused') throw new InvalidRefreshTokenError();
    return rotation.pair;
  }

  /** Commits the revocation of a reused family before the refusal is thrown. */
  @Transactional()
  private async rotate(refreshToken: string): Promise<Rotation> {
    const family = await this.tokens.spend(refreshToken);
    if (!family) {
      const reused = await this.tokens.revokeFamilyIfReused(refreshToken);
      if (reused) await this.recordReuse(reused);
      return { kind: 'refused' };
    }
    const user = await this.txHost.tx.getRepository(User).findOne({
      where: { id: family.userId },
      select: { id: true, roles: true, organizationId: true, disabledAt: true },
    });
    if (!user || user.disabledAt) {
      await this.tokens.revokeFamily(family.familyId);
      return { kind: 'refused' };
    }
    const pair = await this.tokens.issue(user, family);
    await this.audit.record({
      actor: actorOf(user),
      action: 'auth.token_refreshed',
      resource: { type: 'User', id: user.id },
      details: { familyId: family.familyId },
    });
    this.logger.log(
      { event: 'auth.token_refreshed', userId: family.userId, familyId: family.familyId },
      'token refreshed',
    );
    return { kind: 'rotated', pair };
  }

  private async recordReuse(family: RefreshTokenFamily): Promise<void> {
    await this.audit.record({
      actor: null,
      action: 'auth.refresh_token_reused',
      outcome: 'denied',
      resource: { type: 'User', id: family.userId },
      details: { familyId: family.familyId, consequence: 'family revoked' },
    });
    this.logger.warn({ event: 'auth.refresh_token_reused', ...family }, 'refresh token reused: family revoked');
  }

  /** Ends the login the token belongs to. Silent for an unknown token: no oracle. */
  @Transactional()
  async logout(refreshToken: string): Promise<void> {
    const family = await this.tokens.revokeFamilyOf(refreshToken);
    if (!family) return;
    await this.audit.record({
      actor: null,
      action: 'auth.logged_out',
      resource: { type: 'User', id: family.userId },
      details: { familyId: family.familyId },
    });
    this.logger.log({ event: 'auth.logged_out', ...family }, 'logged out');
  }

  private findByEmail(email: string): Promise<User | null> {
    return this.txHost.tx
      .getRepository(User)
      .createQueryBuilder('account')
      .where('lower(account.email) = lower(:email)', { email })
      .getOne();
  }
}

function actorOf(user: Pick<User, 'id' | 'organizationId' | 'roles'>): Actor {
  return { type: 'user', userId: user.id, organizationId: user.organizationId, roles: user.roles };
}
