import { Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { Authorization } from '../access/authorization.service';
import { auditChanges } from '../audit/audit-redaction';
import { AuditRecorder } from '../audit/audit-recorder';
import { whereAnyOf } from '../platform/database/where-any-of';
import { ensureMatches, type IfMatch } from '../platform/http/etag';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import type { CreateOrganizationDto } from './dto/create-organization.dto';
import type { OrganizationDto } from './dto/organization.dto';
import type { UpdateOrganizationDto } from './dto/update-organization.dto';
import { Organization } from './entities/organization.entity';
import { UserAccounts } from './user-accounts.service';

function toDto(organization: Organization): OrganizationDto {
  return {
    id: organization.id,
    name: organization.name,
    createdAt: organization.createdAt,
    updatedAt: organization.updatedAt,
    version: organization.version,
  };
}

/** Customer organizations: staff admins manage them, auditors read them, customers read their own. */
@Injectable()
export class OrganizationsService {
  private readonly logger = new Logger(OrganizationsService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly accounts: UserAccounts,
    private readonly audit: AuditRecorder,
  ) {}

  private get organizations() {
    return this.txHost.tx.getRepository(Organization);
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<OrganizationDto>> {
    const query = this.organizations.createQueryBuilder('organization');
    whereAnyOf(query, this.authorization.visibleWhere<Organization>(actor, 'read', 'Organization') ?? []);
    return mapPage(await findPage(query, page), toDto);
  }

  /** 404 when it does not exist or the caller may not see it. */
  async get(actor: Actor, id: string): Promise<OrganizationDto> {
    const organization = await this.organizations.findOneBy({ id });
    if (!organization) throw new ResourceNotFoundError('Organization');
    this.authorization.ensure(actor, 'read', 'Organization', organization);
    return toDto(organization);
  }

  @Transactional()
  async create(actor: Actor, input: CreateOrganizationDto): Promise<OrganizationDto> {
    const organization = await this.accounts.createOrganization(input.name);
    await this.audit.record({
      actor,
      action: 'organization.created',
      resource: { type: 'Organization', id: organization.id },
      changes: auditChanges(null, { name: organization.name }),
    });
    this.logger.log({ event: 'organization.created', organizationId: organization.id }, 'organization created');
    return toDto(organization);
  }

  /**
   * Applies the fields sent. The row is locked while the version is compared,
   * so of two edits made from the same read, the second answers 412.
   */
  @Transactional()
  async update(actor: Actor, id: string, input: UpdateOrganizationDto, ifMatch: IfMatch): Promise<OrganizationDto> {
    const organization = await this.authorization.lockedFor(this.organizations, id, actor, 'Organization', 'update');
    ensureMatches(ifMatch, organization.version);
    if (input.name === undefined || input.name === organization.name) return toDto(organization);

    const before = { name: organization.name };
    organization.name = input.name;
    const saved = await this.organizations.save(organization);
    await this.audit.record({
      actor,
      action: 'organization.updated',
      resource: { type: 'Organization', id },
      changes: auditChanges(before, { name: saved.name }),
    });
    this.logger.log({ event: 'organization.updated', organizationId: id }, 'organization updated');
    return toDto(saved);
  }
}
