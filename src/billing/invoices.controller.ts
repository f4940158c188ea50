import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authorize } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { ReadsWithETag } from '../platform/http/etag.decorator';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { InvoiceDto, InvoicePageDto } from './dto/invoice.dto';
import { ListInvoicesQueryDto } from './dto/list-invoices-query.dto';
import { InvoicesService } from './invoices.service';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidCursorError } from '../platform/http/cursor';

@ApiTags('billing')
@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get()
  @Authorize('read', 'Invoice')
  @ApiOperation({
    summary: "List invoices, newest first: all for staff who may, an organization's for its org_admin, a buyer's own",
  })
  @Throws(InvalidCursorError)
  list(@CurrentActor() actor: Actor, @Query() query: ListInvoicesQueryDto): Promise<InvoicePageDto> {
    return this.invoices.list(actor, query);
  }

  @Get(':id')
  @Authorize('read', 'Invoice')
  @ReadsWithETag(InvoiceDto)
  @ApiOperation({ summary: 'Get an invoice; one you may not see is 404' })
  @Throws(ResourceNotFoundError)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<InvoiceDto> {
    return this.invoices.get(actor, id);
  }
}
