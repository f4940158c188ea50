import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import packageJson from '../../package.json';
import { WeakPasswordError } from './auth.errors';
import { type PasswordContext, passwordWeakness } from './password-policy';

/** OWASP Password Storage Cheat Sheet, argon2id option 1: 19 MiB, 2 iterations, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The service's own names count as context words a password must not be built from. */
const SERVICE_NAMES = [packageJson.name, 'b2b-commerce', 'b2bcommerce'] as const;

/** Hashing, verifying and the acceptance policy of passwords; the only place that knows argon2. */
@Injectable()
export class PasswordsService {
  /** Verified against when no account matches, so that case costs what a wrong password costs. */
  private dummyHash: Promise<string> | undefined;

  /** Throws WeakPasswordError with the reason when `password` may not be used for this account. */
  ensureAcceptable(password: string, context: Omit<PasswordContext, 'serviceNames'>): void {
    const reason = passwordWeakness(password, { ...context, serviceNames: SERVICE_NAMES });
    if (reason) throw new WeakPasswordError(reason);
  }

  /** The policy check, then the hash: what every new or changed password goes through. */
  async hashAcceptable(password: string, context: Omit<PasswordContext, 'serviceNames'>): Promise<string> {
    this.ensureAcceptable(password, context);
    return this.hash(password);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  /** False for a wrong password and for a stored value that is not an argon2 hash; a real fault throws. */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    if (!passwordHash.startsWith('$argon2')) return false;
    return argon2.verify(passwordHash, password);
  }

  /** Spends the time of one verification and fails: the unknown-account path of a login. */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
