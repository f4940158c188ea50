import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authorize } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import type { IfMatch } from '../platform/http/etag';
import { AcceptsIfMatch, IfMatchHeader, ReadsWithETag, ReturnsETag } from '../platform/http/etag.decorator';
import { Creates } from '../platform/http/location.decorator';
import { PageQueryDto } from '../platform/http/page-query.dto';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { CreateOrganizationDto } from './dto/create-organization.dto';
import { OrganizationDto, OrganizationPageDto } from './dto/organization.dto';
import { UpdateOrganizationDto } from './dto/update-organization.dto';
import { OrganizationsService } from './organizations.service';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidCursorError } from '../platform/http/cursor';

@ApiTags('organizations')
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @Authorize('read', 'Organization')
  @ApiOperation({ summary: 'List organizations: all for admins and auditors, your own for customers' })
  @Throws(InvalidCursorError)
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<OrganizationPageDto> {
    return this.organizations.list(actor, query);
  }

  @Post()
  @Authorize('create', 'Organization')
  @Creates(OrganizationDto, (organization) => `/v1/organizations/${organization.id}`)
  @ApiOperation({ summary: 'Create a customer organization (admin)' })
  create(@CurrentActor() actor: Actor, @Body() input: CreateOrganizationDto): Promise<OrganizationDto> {
    return this.organizations.create(actor, input);
  }

  @Get(':id')
  @Authorize('read', 'Organization')
  @ReadsWithETag(OrganizationDto)
  @ApiOperation({ summary: 'Get an organization; another organization is 404 to customers' })
  @Throws(ResourceNotFoundError)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<OrganizationDto> {
    return this.organizations.get(actor, id);
  }

  @Patch(':id')
  @Authorize('update', 'Organization')
  @ReturnsETag(OrganizationDto)
  @AcceptsIfMatch()
  @ApiOperation({ summary: 'Rename an organization (admin); with If-Match, only if unchanged since read' })
  @Throws(ResourceNotFoundError)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdateOrganizationDto,
    @IfMatchHeader() ifMatch: IfMatch,
  ): Promise<OrganizationDto> {
    return this.organizations.update(actor, id, input, ifMatch);
  }
}
