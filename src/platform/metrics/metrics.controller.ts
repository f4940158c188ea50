import { Controller, VERSION_NEUTRAL, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsService } from './metrics.service';
import { Public } from '../../access/authorize.decorator';

@Public()
@ApiTags('metrics')
@SkipThrottle()
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
