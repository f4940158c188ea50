import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { violatesUnique } from '../platform/database/unique-violation';
import type { Role } from '../access/roles';
import { EmailTakenError } from './auth.errors';
import { Organization } from './entities/organization.entity';
import { User } from './entities/user.entity';

export interface NewUser {
  email: string;
  displayName: string;
  /** From PasswordsService#hashAcceptable, computed before the transaction opens. */
  passwordHash: string;
  roles: Role[];
  organizationId: string | null;
}

const EMAIL_UNIQUE_INDEX = 'users_email_unique';

/**
 * Creates accounts once the caller has decided they may: registration,
 * bootstrap, the users API and test factories share it. Joins the caller's
 * transaction. Check and hash the password first, outside the transaction
 * (PasswordsService#hashAcceptable): argon2 takes tens of milliseconds.
 */
@Injectable()
export class UserAccounts {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  createOrganization(name: string): Promise<Organization> {
    const repository = this.txHost.tx.getRepository(Organization);
    return repository.save(repository.create({ name }));
  }

  /** Throws EmailTakenError (409), also when a concurrent request took the email first. */
  async createUser(input: NewUser): Promise<User> {
    const repository = this.txHost.tx.getRepository(User);
    const user = repository.create({ ...input, passwordChangedAt: new Date() });
    try {
      return await repository.save(user);
    } catch (error) {
      if (isEmailTaken(error)) throw new EmailTakenError();
      throw error;
    }
  }
}

export function isEmailTaken(error: unknown): boolean {
  return violatesUnique(error, EMAIL_UNIQUE_INDEX);
}
