import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Environment } from '../platform/config/environment';
import { AccountLockout } from './account-lockout.service';
import { InvalidCredentialsError, InvalidRefreshTokenError, SignupDisabledError } from './auth.errors';
import type { LoginDto } from './dto/login.dto';
import type { RegisterDto } from './dto/register.dto';
import type { RegisteredAccountDto } from './dto/registered-account.dto';
import { User } from './entities/user.entity';
import { PasswordsService } from './passwords.service';
import { type TokenPair, TokensService } from './tokens.service';
import { UserAccounts } from './user-accounts.service';

type Rotation = { kind: 'rotated'; pair: TokenPair } | { kind: 'refused' };

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
    this.logger.log(
      { event: 'auth.registered', userId: user.id, organizationId: organization.id },
      'account registered',
    );
    return {
      organization: { id: organization.id, name: organization.name },
      user: {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        roles: user.roles,
        organizationId: organization.id,
      },
    };
  }

  /**
   * Unknown email, wrong password, locked or disabled account: the same 401,
   * after the same argon2 verification, so neither the answer nor its timing
   * tells whether the account exists.
   */
  async login(credentials: LoginDto): Promise<TokenPair> {
    const user = await this.findByEmail(credentials.email);
    const passwordMatches = user
      ? await this.passwords.verify(user.passwordHash, credentials.password)
      : await this.passwords.verifyNothing(credentials.password);
    if (!user || !passwordMatches || this.lockout.isLocked(user) || user.disabledAt) {
      await this.recordFailedLogin(user, failureReason(user, passwordMatches, this.lockout));
      throw new InvalidCredentialsError();
    }
    return this.completeLogin(user);
  }

  @Transactional()
  private async recordFailedLogin(user: User | null, reason: string): Promise<void> {
    if (user) await this.lockout.recordFailure(user.id);
    this.logger.warn({ event: 'auth.login_failed', userId: user?.id ?? null, reason }, 'login failed');
  }

  @Transactional()
  private async completeLogin(user: User): Promise<TokenPair> {
    await this.lockout.reset(user);
    const pair = await this.tokens.issue(user);
    this.logger.log({ event: 'auth.login_succeeded', userId: user.id }, 'login succeeded');
    return pair;
  }

  /**
   * Exchanges a refresh token for the next pair of its family. A spent or
   * revoked token revokes the whole family (reuse detection), and so does
   * every loser of concurrent refreshes with one token: strict by design, as
   * a legitimate client never presents one token twice.
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
      if (reused) {
        this.logger.warn({ event: 'auth.refresh_token_reused', ...reused }, 'refresh token reused: family revoked');
      }
      return { kind: 'refused' };
    }
    const user = await this.txHost.tx
      .getRepository(User)
      .findOne({
        where: { id: family.userId },
        select: { id: true, roles: true, organizationId: true, disabledAt: true },
      });
    if (!user || user.disabledAt) {
      await this.tokens.revokeFamily(family.familyId);
      return { kind: 'refused' };
    }
    const pair = await this.tokens.issue(user, family.familyId);
    this.logger.log({ event: 'auth.token_refreshed', ...family }, 'token refreshed');
    return { kind: 'rotated', pair };
  }

  /** Ends the login the token belongs to. Silent for an unknown token: no oracle. */
  @Transactional()
  async logout(refreshToken: string): Promise<void> {
    const family = await this.tokens.revokeFamilyOf(refreshToken);
    if (family) this.logger.log({ event: 'auth.logged_out', ...family }, 'logged out');
  }

  private findByEmail(email: string): Promise<User | null> {
    return this.txHost.tx
      .getRepository(User)
      .createQueryBuilder('account')
      .where('lower(account.email) = lower(:email)', { email })
      .getOne();
  }
}

function failureReason(user: User | null, passwordMatches: boolean, lockout: AccountLockout): string {
  if (!user) return 'unknown email';
  if (lockout.isLocked(user)) return 'account locked';
  if (!passwordMatches) return 'wrong password';
  return 'account disabled';
}
