import { Controller, Logger, VERSION_NEUTRAL, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
  HealthIndicatorService,
  MemoryHealthIndicator,
} from '@nestjs/terminus';
import { Unthrottled } from '../platform/http/unthrottled.decorator';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Environment } from '../platform/config/environment';
import { Public } from '../access/authorize.decorator';
import { AppLifecycle } from './app-lifecycle';

@Public()
@ApiTags('operations')
@Unthrottled()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly memory: MemoryHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly environment: Environment,
    private readonly lifecycle: AppLifecycle,
  ) {}

  @Get('startup')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Startup: the process has finished starting (migrations applied, bootstrap done). Checks no dependency: ' +
      'for a startup probe, which holds the other probes back until it first succeeds.',
  })
  @ApiOkResponse({ description: 'Started.' })
  @ApiServiceUnavailableResponse({ description: 'Still starting.' })
  startup(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.answer(reply, [
      () => (this.lifecycle.started ? this.indicators.check('startup').up() : this.notUp('startup', 'starting')),
    ]);
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Liveness: the process answers and its heap is under HEALTH_HEAP_LIMIT_MB (a leak is cured by a restart). ' +
      'Checks no dependency: a database outage must not restart every replica.',
  })
  @ApiOkResponse({ description: 'Alive.' })
  @ApiServiceUnavailableResponse({ description: 'Restart me; the body names the failing check.' })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.answer(reply, [
      () => this.memory.checkHeap('heap', this.environment.HEALTH_HEAP_LIMIT_MB * 1024 * 1024),
    ]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: not shutting down, the database answers in time and every migration is applied. ' +
      'Answers 503 from the moment SIGTERM arrives.',
  })
  @ApiOkResponse({ description: 'Ready to serve traffic.' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; the body names the failing checks.' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    // Shutting down: say so at once, without waiting for the database.
    if (this.lifecycle.draining) return this.answer(reply, [() => this.notUp('serving', 'shutting down')]);
    const timeout = this.environment.HEALTH_DATABASE_TIMEOUT_MS;
    return this.answer(reply, [
      () => this.indicators.check('serving').up(),
      () =>
        this.probe('database', timeout, async () => {
          await this.dataSource.query('SELECT 1');
        }),
      () =>
        this.probe('migrations', timeout, async () => {
          if (await this.dataSource.showMigrations()) throw new NotReadyError('pending migrations');
        }),
    ]);
  }

  /** Terminus reports a failed check by throwing; probes want its body with a 503. */
  private async answer(reply: FastifyReply, checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private notUp(key: string, message: string) {
    return this.indicators.check(key).down({ message });
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
