import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { PageQueryDto } from '../platform/http/page-query.dto';
import { AuditChainService } from './audit-chain.service';
import { AuditVerificationsBusyError } from './audit.errors';
import { ChainVerificationDto } from './dto/chain-verification.dto';
import { CheckpointPageDto, PublicKeyDto } from './dto/checkpoint.dto';
import { VerifyQueryDto } from './dto/verify-query.dto';
import { InvalidCursorError } from '../platform/http/cursor';

@ApiTags('audit')
@Controller('audit')
export class AuditTrailController {
  constructor(private readonly chain: AuditChainService) {}

  @Get('verify')
  @Authorize('verify', 'AuditEvent')
  @ApiOperation({
    summary: 'Recompute the hash chain over a seq range and name the first invalid seq',
    description:
      'Detects an event changed, deleted, inserted or reordered after the fact, also by someone with write ' +
      'access to the database, up to the last signed checkpoint. `from`/`to` are seq numbers (default: all).',
  })
  @Throws(AuditVerificationsBusyError)
  verify(@Query() query: VerifyQueryDto): Promise<ChainVerificationDto> {
    return this.chain.verify(query);
  }

  @Get('checkpoints')
  @Authorize('verify', 'AuditEvent')
  @ApiOperation({ summary: 'Signed checkpoints of the chain head, newest first' })
  @Throws(InvalidCursorError)
  checkpoints(@Query() query: PageQueryDto): Promise<CheckpointPageDto> {
    return this.chain.listCheckpoints(query);
  }

  @Get('public-key')
  @Authorize('verify', 'AuditEvent')
  @ApiOperation({ summary: 'The Ed25519 public key that verifies the checkpoints, offline too' })
  publicKey(): PublicKeyDto {
    return this.chain.publicKey();
  }
}
