import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Role } from '../access/roles';
import { Environment } from '../platform/config/environment';
import { User } from './entities/user.entity';
import { EmailTakenError, WeakPasswordError } from './auth.errors';
import { PasswordsService } from './passwords.service';
import { UserAccounts } from './user-accounts.service';

export const DEFAULT_ADMIN_EMAIL = 'admin@example.com';
export const DEMO_ORGANIZATION_NAME = 'Demo Customer Ltd';
export const DEMO_USERS: readonly { email: string; displayName: string; role: Role }[] = [
  { email: 'org-admin@demo.example.com', displayName: 'Demo Org Admin', role: 'org_admin' },
  { email: 'buyer@demo.example.com', displayName: 'Demo Buyer', role: 'buyer' },
];

export class BootstrapConfigurationError extends Error {}

/**
 * First start: on an empty users table, the admin from ADMIN_EMAIL and
 * ADMIN_PASSWORD (generated and logged once outside production); then,
 * outside production and when DEMO_SEED is on, a demo customer organization.
 * Safe when several processes start at once: the unique email decides who
 * creates an account, the others move on.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    private readonly environment: Environment,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly passwords: PasswordsService,
    private readonly accounts: UserAccounts,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.txHost.tx.getRepository(User).exists())) await this.createFirstAdmin();
    if (this.demoSeedEnabled()) await this.seedDemo();
  }

  private async createFirstAdmin(): Promise<void> {
    const { ADMIN_EMAIL: email = DEFAULT_ADMIN_EMAIL, ADMIN_PASSWORD: given } = this.environment;
    if (this.environment.isProduction && !(this.environment.ADMIN_EMAIL && given)) {
      throw new BootstrapConfigurationError(
        'The users table is empty: set ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin (required in production).',
      );
    }
    const password = given ?? generatePassword();
    const passwordHash = await this.hashOrExplain('ADMIN_PASSWORD', password, { email });
    const created = await this.createIfAbsent(() =>
      this.accounts.createUser({
        email,
        displayName: 'Administrator',
        passwordHash,
        roles: ['admin'],
        organizationId: null,
      }),
    );
    if (!created) return;
    this.logger.log({ event: 'bootstrap.admin_created', email }, 'first admin created');
    if (!given) this.logGeneratedPassword('first admin', email, password);
  }

  private demoSeedEnabled(): boolean {
    if (this.environment.isProduction && this.environment.DEMO_SEED) {
      this.logger.warn({ event: 'bootstrap.demo_seed_ignored' }, 'DEMO_SEED is ignored in production');
    }
    return this.environment.demoSeedEnabled;
  }

  /** All or nothing, in one transaction: the organization and both users, unless any of them exists. */
  private async seedDemo(): Promise<void> {
    const emails = DEMO_USERS.map((user) => user.email.toLowerCase());
    const seeded = await this.txHost.tx
      .getRepository(User)
      .createQueryBuilder('account')
      .where('lower(account.email) IN (:...emails)', { emails })
      .getExists();
    if (seeded) return;

    const given = this.environment.DEMO_PASSWORD;
    const password = given ?? generatePassword();
    const passwordHash = await this.hashOrExplain('DEMO_PASSWORD', password, {
      email: DEMO_USERS[0].email,
      organizationName: DEMO_ORGANIZATION_NAME,
    });
    const created = await this.createIfAbsent(async () => {
      const organization = await this.accounts.createOrganization(DEMO_ORGANIZATION_NAME);
      for (const { email, displayName, role } of DEMO_USERS) {
        await this.accounts.createUser({
          email,
          displayName,
          passwordHash,
          roles: [role],
          organizationId: organization.id,
        });
      }
    });
    if (!created) return;
    this.logger.log({ event: 'bootstrap.demo_seeded', emails }, 'demo organization and users created');
    if (!given) this.logGeneratedPassword('demo users', emails.join(' and '), password);
  }

  /** In its own transaction; false when another process created the same email first. */
  private async createIfAbsent(create: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.txHost.withTransaction(create);
      return true;
    } catch (error) {
      if (error instanceof EmailTakenError) return false;
      throw error;
    }
  }

  /** A configured password the policy refuses stops the start, naming the variable. */
  private async hashOrExplain(
    variable: string,
    password: string,
    context: { email: string; organizationName?: string },
  ): Promise<string> {
    try {
      return await this.passwords.hashAcceptable(password, context);
    } catch (error) {
      if (error instanceof WeakPasswordError) {
        throw new BootstrapConfigurationError(`${variable} is not acceptable: ${error.message}`);
      }
      throw error;
    }
  }

  /** The only place a password is ever logged: generated, development only, shown once. */
  private logGeneratedPassword(account: string, email: string, password: string): void {
    this.logger.warn(
      { event: 'bootstrap.generated_password', email },
      `GENERATED PASSWORD for the ${account} ${email} (shown once, not stored anywhere): ${password}`,
    );
  }
}

/** 24 random bytes: 32 characters of base64url, about 192 bits. */
function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
