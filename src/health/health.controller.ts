import { Controller, Logger, VERSION_NEUTRAL, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  HealthIndicatorService,
  MemoryHealthIndicator,
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
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
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
        () =>
          this.probe('database', timeout, async () => {
            await this.dataSource.query('SELECT 1');
          }),
        () =>
          this.probe('migrations', timeout, async () => {
            if (await this.dataSource.showMigrations()) throw new NotReadyError('pending migrations');
          }),
        () => this.memory.checkHeap('heap', this.environment.HEALTH_HEAP_LIMIT_MB * 1024 * 1024),
      ]);
    } catch (error) {
      // Terminus reports "not ready" by throwing; load balancers want its body with a 503.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  /** A check whose failure shows as `down` with our message: driver errors name hosts and ports, so they go to the log only. */
  private probe(key: string, timeout: number, check: () => Promise<void>) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        try {
          await check();
        } catch (error) {
          if (error instanceof NotReadyError) throw error;
          this.logger.warn({ event: 'health.check_failed', check: key, err: error });
          throw new NotReadyError('unreachable');
        }
      })
      .withTimeout(timeout);
  }
}

class NotReadyError extends Error {}
