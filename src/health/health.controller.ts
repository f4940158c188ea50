import { Controller, VERSION_NEUTRAL, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Environment } from '../platform/config/environment';
import { Public } from '../access/authorize.decorator';

@Public()
@ApiTags('health')
@SkipThrottle()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly environment: Environment,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers. Checks no dependency.' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: the database answers in time, every migration is applied and the heap is under its bound.',
  })
  @ApiOkResponse({ description: 'Ready to serve traffic.' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; the body names the failing checks.' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const timeout = this.environment.HEALTH_DATABASE_TIMEOUT_MS;
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout }),
        () =>
          this.indicators
            .check('migrations')
            .attempt(async () => {
              if (await this.dataSource.showMigrations()) throw new Error('pending migrations');
            })
            .withTimeout(timeout),
        () => this.memory.checkHeap('heap', this.environment.HEALTH_HEAP_LIMIT_MB * 1024 * 1024),
      ]);
    } catch (error) {
      // Terminus reports "not ready" by throwing; load balancers want its body with a 503.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
