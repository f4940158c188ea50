import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authorize } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { ReturnsCredentials } from '../platform/http/returns-credentials.decorator';
import { Creates } from '../platform/http/location.decorator';
import { PageQueryDto } from '../platform/http/page-query.dto';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyPageDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidCursorError } from '../platform/http/cursor';
import { ApiKeyMintedByApiKeyError, ApiKeyRolesExceedCreatorError, ExpiryInThePastError } from './api-keys.errors';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Authorize('read', 'ApiKey')
  @ApiOperation({
    summary: 'List API keys: your own; an org_admin sees every key of its organization',
    description: 'Keys are listed by prefix; the secret is never shown again after creation.',
  })
  @Throws(InvalidCursorError)
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<ApiKeyPageDto> {
    return this.apiKeys.list(actor, query);
  }

  @Post()
  @Authorize('create', 'ApiKey')
  @ReturnsCredentials(CreatedApiKeyDto, HttpStatus.CREATED)
  // The key's own URL, where it is revoked; it is never read back (its secret is shown once).
  @Creates(CreatedApiKeyDto, (apiKey) => `/v1/api-keys/${apiKey.id}`)
  @ApiOperation({
    summary: 'Create an API key acting for you with some of your roles; the key is in this response only',
    description:
      'Send it as `X-API-Key`. Roles you do not hold, or a request authenticated by an API key: 403. ' +
      'An expiry in the past: 400.',
  })
  @Throws(ApiKeyMintedByApiKeyError, ApiKeyRolesExceedCreatorError, ExpiryInThePastError)
  create(@CurrentActor() actor: Actor, @Body() input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(actor, input);
  }

  @Delete(':id')
  @Authorize('archive', 'ApiKey')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke an API key: it stops working at once',
    description: 'An unknown key, one you may not see, and one already revoked: 404.',
  })
  @Throws(ResourceNotFoundError)
  async revoke(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.apiKeys.revoke(actor, id);
  }
}
