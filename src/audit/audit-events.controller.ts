import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Authorize } from '../access/authorize.decorator';
import { Environment } from '../platform/config/environment';
import { Throws } from '../platform/errors/throws.decorator';
import { streamedBody } from '../platform/http/streamed-body';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { CSV_COLUMN_NAMES } from './audit-export-format';
import { AuditEventsService } from './audit-events.service';
import { AuditEventDto, AuditEventPageDto } from './dto/audit-event.dto';
import { AuditEventsQueryDto, AuditExportQueryDto } from './dto/audit-events-query.dto';
import { AuditExportCheckpointLineDto } from './dto/checkpoint.dto';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidCursorError } from '../platform/http/cursor';
import { AuditExportsBusyError } from './audit.errors';

const EXPORT_MEDIA_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv' } as const;
const EXPORT_CONTENT_TYPES = {
  ndjson: EXPORT_MEDIA_TYPES.ndjson,
  csv: `${EXPORT_MEDIA_TYPES.csv}; charset=utf-8`,
} as const;

/** The export's two bodies, each described by what one of its lines is. */
const EXPORT_BODIES = {
  [EXPORT_MEDIA_TYPES.ndjson]: {
    schema: {
      description:
        'One JSON value per line, `\\n`-terminated: an event, or `{"checkpoint": ...}` for the signed ' +
        'checkpoint of the event just before. This schema is the schema of one line.',
      oneOf: [{ $ref: getSchemaPath(AuditEventDto) }, { $ref: getSchemaPath(AuditExportCheckpointLineDto) }],
    },
  },
  [EXPORT_MEDIA_TYPES.csv]: {
    schema: {
      type: 'string',
      description:
        `RFC 4180, UTF-8, \`\\r\\n\`-terminated rows: a header row, then one row per event with the columns ` +
        `${CSV_COLUMN_NAMES.map((name) => `\`${name}\``).join(', ')}. ` +
        'Absent values are empty cells; `changes` and `details` are JSON; a cell a spreadsheet would run as ' +
        "a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`.",
    },
  },
};

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
  @ApiExtraModels(AuditEventDto, AuditExportCheckpointLineDto)
  @ApiOkResponse({ description: 'The sealed events of the period, as `format` asks.', content: EXPORT_BODIES })
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
