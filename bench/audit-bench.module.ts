/**
 * Benchmark-only endpoints (mounted by bench/audit-bench-server.ts, never by the
 * app): the same transactional business write, with and without its audit
 * event, so bench/run.ts can put a price on recording.
 */
import { Body, Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { IsString, Length } from 'class-validator';
import { Public } from '../src/access/authorize.decorator';
import { auditChanges } from '../src/audit/audit-redaction';
import { AuditRecorder } from '../src/audit/audit-recorder';
import { Organization } from '../src/identity/entities/organization.entity';

class BenchWriteDto {
  @IsString()
  @Length(1, 100)
  name!: string;
}

@Injectable()
class BenchWrites {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly audit: AuditRecorder,
  ) {}

  @Transactional()
  async write(name: string, recorded: boolean): Promise<{ id: string }> {
    const organizations = this.txHost.tx.getRepository(Organization);
    const organization = await organizations.save(organizations.create({ name }));
    if (recorded) {
      await this.audit.record({
        actor: 'system',
        action: 'organization.created',
        resource: { type: 'Organization', id: organization.id },
        changes: auditChanges(null, organization),
      });
    }
    return { id: organization.id };
  }
}

@Public()
@Controller('bench')
class BenchWritesController {
  constructor(private readonly writes: BenchWrites) {}

  @Post('audited-writes')
  @HttpCode(201)
  audited(@Body() body: BenchWriteDto): Promise<{ id: string }> {
    return this.writes.write(body.name, true);
  }

  @Post('unaudited-writes')
  @HttpCode(201)
  unaudited(@Body() body: BenchWriteDto): Promise<{ id: string }> {
    return this.writes.write(body.name, false);
  }
}

@Module({ controllers: [BenchWritesController], providers: [BenchWrites] })
export class AuditBenchModule {}
