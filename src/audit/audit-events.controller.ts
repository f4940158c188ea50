import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { Environment } from '../platform/config/environment';
import { Throws } from '../platform/errors/throws.decorator';
import { streamedBody } from '../platform/http/streamed-body';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { AuditEventsService } from './audit-events.service';
import { AuditEventDto, AuditEventPageDto } from './dto/audit-event.dto';
import { AuditEventsQueryDto, AuditExportQueryDto } from './dto/audit-events-query.dto';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidCursorError } from '../platform/http/cursor';
import { AuditExportsBusyError } from './audit.errors';

const EXPORT_CONTENT_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv; charset=utf-8' } as const;

@ApiTags('audit')
@Controller('audit-events')
export class AuditEventsController {
  constructor(
    private readonly events: AuditEventsService,
    private readonly environment: Environment,
  ) {}

  @Get()
  @Authorize('read', 'AuditEvent')
  @ApiOperation({ summary: 'List audit events, newest first, filtered by actor, action, resource, outcome and period' })
  @Throws(InvalidCursorError)
  list(@Query() query: AuditEventsQueryDto): Promise<AuditEventPageDto> {
    const { limit, cursor, ...filter } = query;
    return this.events.list(filter, { limit, cursor });
  }

  @Get('export')
  @Authorize('export', 'AuditEvent')
  @ApiOperation({
    summary: 'Export the sealed events of a period, streamed, as NDJSON (with signed checkpoints) or CSV',
    description:
      'NDJSON: one event per line in seq order, each signed checkpoint on a line `{"checkpoint": ...}` after ' +
      'the event it covers; check it offline with `npm run audit:verify -- <file> --public-key <file>`.',
  })
  @ApiProduces(EXPORT_CONTENT_TYPES.ndjson, EXPORT_CONTENT_TYPES.csv)
  @Throws(AuditExportsBusyError)
  async export(@Query() query: AuditExportQueryDto): Promise<StreamableFile> {
    const body = await streamedBody(
      this.events.export(query.format, query),
      this.environment.AUDIT_EXPORT_IDLE_TIMEOUT_MS,
    );
    return new StreamableFile(body, {
      type: EXPORT_CONTENT_TYPES[query.format],
      disposition: `attachment; filename="audit-events.${query.format}"`,
    });
  }

  @Get(':id')
  @Authorize('read', 'AuditEvent')
  @ApiOperation({ summary: 'One audit event' })
  @Throws(ResourceNotFoundError)
  get(@UuidParam('id') id: string): Promise<AuditEventDto> {
    return this.events.get(id);
  }
}
