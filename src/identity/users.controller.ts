import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authorize } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import type { IfMatch } from '../platform/http/etag';
import { AcceptsIfMatch, IfMatchHeader, ReadsWithETag, ReturnsETag } from '../platform/http/etag.decorator';
import { Creates } from '../platform/http/location.decorator';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto, UserPageDto } from './dto/user.dto';
import { UsersService } from './users.service';
import { ResourceNotFoundError } from '../access/access.errors';
import {
  MixedRolesError,
  OrganizationRequiredError,
  OwnAccessChangeError,
  RoleKindChangeError,
  StaffOrganizationError,
  UnknownOrganizationError,
} from './users.errors';
import { InvalidCursorError } from '../platform/http/cursor';
import { EmailTakenError, WeakPasswordError } from './auth.errors';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Authorize('read', 'User')
  @ApiOperation({ summary: "List users: all for admins and auditors, an org_admin's own organization's" })
  @Throws(InvalidCursorError)
  list(@CurrentActor() actor: Actor, @Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    return this.users.list(actor, query);
  }

  @Post()
  @Authorize('create', 'User')
  @Creates(UserDto, (user) => `/v1/users/${user.id}`)
  @ApiOperation({
    summary: 'Create a user with an initial password',
    description:
      'An org_admin creates users of its own organization with customer roles only: a staff role or another ' +
      'organization is 403. Inconsistent roles and organization, or a weak password: 400. Email taken: 409.',
  })
  @Throws(
    MixedRolesError,
    StaffOrganizationError,
    OrganizationRequiredError,
    UnknownOrganizationError,
    EmailTakenError,
    WeakPasswordError,
  )
  create(@CurrentActor() actor: Actor, @Body() input: CreateUserDto): Promise<UserDto> {
    return this.users.create(actor, input);
  }

  @Get(':id')
  @Authorize('read', 'User')
  @ReadsWithETag(UserDto)
  @ApiOperation({ summary: 'Get a user; a user you may not see is 404' })
  @Throws(ResourceNotFoundError)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<UserDto> {
    return this.users.get(actor, id);
  }

  @Patch(':id')
  @Authorize('update', 'User')
  @ReturnsETag(UserDto)
  @AcceptsIfMatch()
  @ApiOperation({
    summary: 'Edit a user: display name, roles, disabled (users are disabled, never deleted)',
    description:
      'Disabling revokes every refresh token of the user; their access tokens and API keys stop working at once. ' +
      'Staff stay staff and customers stay customers (400). Your own roles and disabling yourself: 409.',
  })
  @Throws(ResourceNotFoundError, MixedRolesError, RoleKindChangeError, OwnAccessChangeError)
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() input: UpdateUserDto,
    @IfMatchHeader() ifMatch: IfMatch,
  ): Promise<UserDto> {
    return this.users.update(actor, id, input, ifMatch);
  }
}
