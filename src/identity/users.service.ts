import { Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { Authorization } from '../access/authorization.service';
import { isCustomerRole, isStaffRole, type Role } from '../access/roles';
import { auditChanges } from '../audit/audit-redaction';
import { AuditRecorder } from '../audit/audit-recorder';
import { whereAnyOf } from '../platform/database/where-any-of';
import { ensureMatches, type IfMatch } from '../platform/http/etag';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import type { CreateUserDto } from './dto/create-user.dto';
import type { UpdateUserDto } from './dto/update-user.dto';
import type { UserDto } from './dto/user.dto';
import { Organization } from './entities/organization.entity';
import { User } from './entities/user.entity';
import { PasswordsService } from './passwords.service';
import { TokensService } from './tokens.service';
import { type NewUser, UserAccounts } from './user-accounts.service';
import {
  MixedRolesError,
  OrganizationRequiredError,
  OwnAccessChangeError,
  RoleKindChangeError,
  StaffOrganizationError,
  UnknownOrganizationError,
} from './users.errors';

export interface UserFilter extends PageRequest {
  organizationId?: string;
}

type RoleKind = 'staff' | 'customer';

/**
 * The columns this service reads: never the credentials. Besides, decrypting
 * every listed user's MFA secret would cost time, and fail for a secret under
 * a key this instance does not hold.
 */
const PROFILE_COLUMNS = [
  'id',
  'email',
  'displayName',
  'roles',
  'organizationId',
  'disabledAt',
  'mfaEnabled',
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof User)[];
const PROFILE_SELECT = Object.fromEntries(PROFILE_COLUMNS.map((column) => [column, true]));

/** Staff or customer; a list mixing both is refused (the database refuses it too). */
function roleKind(roles: Role[]): RoleKind {
  if (roles.every(isStaffRole)) return 'staff';
  if (roles.every(isCustomerRole)) return 'customer';
  throw new MixedRolesError();
}

function toDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    organizationId: user.organizationId,
    disabled: user.disabledAt !== null,
    disabledAt: user.disabledAt,
    mfaEnabled: user.mfaEnabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}

/** The fields of a user the audit trail follows. */
function auditedState(user: User): Partial<User> {
  return {
    email: user.email,
    displayName: user.displayName,
    roles: [...user.roles],
    organizationId: user.organizationId,
    disabledAt: user.disabledAt,
  };
}

/**
 * Managing users: admins all of them, org_admins their own organization's
 * customers (granting customer roles only), auditors read. Users are
 * disabled, never deleted.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly accounts: UserAccounts,
    private readonly passwords: PasswordsService,
    private readonly tokens: TokensService,
    private readonly audit: AuditRecorder,
  ) {}

  private get users() {
    return this.txHost.tx.getRepository(User);
  }

  async list(actor: Actor, filter: UserFilter): Promise<Page<UserDto>> {
    const query = this.users.createQueryBuilder('user').select(PROFILE_COLUMNS.map((column) => `user.${column}`));
    whereAnyOf(query, this.authorization.visibleWhere<User>(actor, 'read', 'User') ?? []);
    if (filter.organizationId) query.andWhere({ organizationId: filter.organizationId });
    return mapPage(await findPage(query, filter), toDto);
  }

  /** 404 when the user does not exist or the caller may not see them. */
  async get(actor: Actor, id: string): Promise<UserDto> {
    const user = await this.users.findOne({ where: { id }, select: PROFILE_SELECT });
    if (!user) throw new ResourceNotFoundError('User');
    this.authorization.ensure(actor, 'read', 'User', user);
    return toDto(user);
  }

  /**
   * 400 for an inconsistent body (mixed roles, staff with an organization,
   * customer without one, unknown organization, weak password); 403 when the
   * caller may not create such a user (an org_admin granting a staff role or
   * placing the user in another organization); 409 when the email is taken.
   * The password is checked and hashed before the transaction opens (argon2
   * takes tens of milliseconds).
   */
  async create(actor: Actor, input: CreateUserDto): Promise<UserDto> {
    const kind = roleKind(input.roles);
    const organizationId = input.organizationId ?? (kind === 'customer' ? actor.organizationId : null);
    if (kind === 'staff' && organizationId) throw new StaffOrganizationError();
    if (kind === 'customer' && !organizationId) throw new OrganizationRequiredError();
    this.authorization.ensurePermitted(actor, 'create', 'User', { organizationId, roles: input.roles });

    let organizationName: string | undefined;
    if (organizationId) {
      // Organizations are never deleted: one that exists now still exists at the insert.
      const organization = await this.txHost.tx.getRepository(Organization).findOneBy({ id: organizationId });
      if (!organization) throw new UnknownOrganizationError();
      organizationName = organization.name;
    }
    const passwordHash = await this.passwords.hashAcceptable(input.password, { email: input.email, organizationName });
    return this.insert(actor, {
      email: input.email,
      displayName: input.displayName,
      passwordHash,
      roles: input.roles,
      organizationId,
    });
  }

  @Transactional()
  private async insert(actor: Actor, newUser: NewUser): Promise<UserDto> {
    const user = await this.accounts.createUser(newUser);
    await this.audit.record({
      actor,
      action: 'user.created',
      resource: { type: 'User', id: user.id },
      changes: auditChanges(null, auditedState(user)),
    });
    this.logger.log({ event: 'user.created', userId: user.id, roles: user.roles, by: actor.userId }, 'user created');
    return toDto(user);
  }

  /**
   * Applies the fields sent, the row locked while the version is compared
   * (412 when If-Match no longer matches). Disabling ends every session of
   * the user in the same transaction, so that enabling them again brings no
   * old token back; their API keys stop working because authentication checks
   * `disabledAt`.
   */
  @Transactional()
  async update(actor: Actor, id: string, input: UpdateUserDto, ifMatch: IfMatch): Promise<UserDto> {
    const user = await this.users.findOne({
      where: { id },
      select: PROFILE_SELECT,
      lock: { mode: 'pessimistic_write' },
    });
    if (!user) throw new ResourceNotFoundError('User');
    this.authorization.ensure(actor, 'update', 'User', user);
    ensureMatches(ifMatch, user.version);

    const rolesChange = input.roles && !sameRoles(input.roles, user.roles) ? input.roles : undefined;
    const disabling = input.disabled === true && user.disabledAt === null;
    const enabling = input.disabled === false && user.disabledAt !== null;
    if (rolesChange && roleKind(rolesChange) !== roleKind(user.roles)) throw new RoleKindChangeError();
    if (user.id === actor.userId && (rolesChange || disabling)) throw new OwnAccessChangeError();

    const before = auditedState(user);
    if (input.displayName !== undefined) user.displayName = input.displayName;
    if (rolesChange) user.roles = rolesChange;
    if (disabling) user.disabledAt = new Date();
    if (enabling) user.disabledAt = null;
    const changes = auditChanges(before, auditedState(user));
    if (!changes) return toDto(user);

    // The changed columns only; TypeORM bumps version and updatedAt.
    await this.users.update({ id }, { displayName: user.displayName, roles: user.roles, disabledAt: user.disabledAt });
    const saved = await this.users.findOneOrFail({ where: { id }, select: PROFILE_SELECT });
    if (disabling) await this.tokens.endSessions(user.id);
    const action = disabling ? 'user.disabled' : enabling ? 'user.enabled' : 'user.updated';
    await this.audit.record({ actor, action, resource: { type: 'User', id }, changes });
    this.logger.log({ event: action, userId: id, by: actor.userId }, action.replace('.', ' '));
    return toDto(saved);
  }
}

function sameRoles(a: Role[], b: Role[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}
