import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

const ISO_INSTANT = { strict: true, strictSeparator: true } as const;

class OrderFiltersDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  /** Orders placed at or after this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601(ISO_INSTANT)
  from?: string;

  /** Orders placed before this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601(ISO_INSTANT)
  to?: string;
}

export class ListOrdersQueryDto extends IntersectionType(PageQueryDto, OrderFiltersDto) {}
