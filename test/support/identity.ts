import { randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../../src/access/roles';
import { isStaffRole } from '../../src/access/roles';
import { PasswordsService } from '../../src/identity/passwords.service';
import { UserAccounts } from '../../src/identity/user-accounts.service';
import type { TestApp } from './test-app';

/** What POST /v1/auth/login answers. */
export interface Session {
  accessToken: string;
  refreshToken: string;
}

export interface TestUser extends Session {
  id: string;
  email: string;
  password: string;
  roles: Role[];
  organizationId: string | null;
}

export interface TestOrganization {
  id: string;
  name: string;
}

export interface NewTestUser {
  roles: Role[];
  /** For customer roles; a new organization is made when omitted. Ignored for staff. */
  organizationId?: string;
  email?: string;
  password?: string;
  displayName?: string;
}

/** Unique per call, so test files sharing the run's database never collide. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID()}@test.example.com`;
}

/** Random, long and never in a dictionary: passes the password policy. */
export function strongPassword(): string {
  return `pw-${randomBytes(18).toString('base64url')}`;
}

export function bearer(session: Pick<Session, 'accessToken'>): { Authorization: string } {
  return { Authorization: `Bearer ${session.accessToken}` };
}

export async function createOrganization(
  testApp: TestApp,
  name = `Test Org ${randomUUID()}`,
): Promise<TestOrganization> {
  const organization = await testApp.app.get(UserAccounts).createOrganization(name);
  return { id: organization.id, name: organization.name };
}

/**
 * A user created through the identity services (policy-checked, argon2id
 * hashed), then signed in through POST /v1/auth/login.
 */
export async function createUser(testApp: TestApp, options: NewTestUser): Promise<TestUser> {
  const email = options.email ?? uniqueEmail(options.roles.join('-'));
  const password = options.password ?? strongPassword();
  const staff = options.roles.every(isStaffRole);
  const organizationId = staff ? null : (options.organizationId ?? (await createOrganization(testApp)).id);
  const passwordHash = await testApp.app.get(PasswordsService).hashAcceptable(password, { email });
  const user = await testApp.app.get(UserAccounts).createUser({
    email,
    displayName: options.displayName ?? `Test ${options.roles.join(' ')}`,
    passwordHash,
    roles: options.roles,
    organizationId,
  });
  const session = await login(testApp, email, password);
  return { id: user.id, email, password, roles: options.roles, organizationId, ...session };
}

/** Signs in over HTTP; fails the test unless the answer is 200. */
export async function login(testApp: TestApp, email: string, password: string, otp?: string): Promise<Session> {
  const response = await testApp.http
    .post('/v1/auth/login')
    .send(otp === undefined ? { email, password } : { email, password, otp });
  if (response.status !== 200) {
    throw new Error(`login of ${email} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return { accessToken: response.body.accessToken, refreshToken: response.body.refreshToken };
}

/** The bootstrap admin (ADMIN_EMAIL / ADMIN_PASSWORD of test/support/environment.ts), signed in. */
export async function adminSession(testApp: TestApp): Promise<TestUser> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = testApp.environment;
  if (!email || !password) throw new Error('ADMIN_EMAIL and ADMIN_PASSWORD must be set for tests');
  const session = await login(testApp, email, password);
  return { id: subjectOf(session.accessToken), email, password, roles: ['admin'], organizationId: null, ...session };
}

/** The `sub` claim of an access token (read, not verified). */
export function subjectOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')) as { sub: string };
  return payload.sub;
}
