import { Controller, VERSION_NEUTRAL, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Unthrottled } from '../platform/http/unthrottled.decorator';
import { Public } from '../access/authorize.decorator';
import { MetricsService } from '../platform/metrics/metrics.service';

/**
 * Serves platform's registry. Declared here rather than beside it: who may read an
 * endpoint is an access decision, and platform knows nothing of access.
 */
@Public()
@ApiTags('operations')
@Unthrottled()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics: process, HTTP requests by route and status, database pool.' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
