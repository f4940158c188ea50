import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Environment } from '../config/environment';
import { IdempotencyService } from './idempotency.service';

/** The scheduled job that deletes idempotency keys past their retention, every IDEMPOTENCY_PURGE_INTERVAL_MS. */
@Injectable()
export class IdempotencyPurger implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyPurger.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly environment: Environment,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), this.environment.IDEMPOTENCY_PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<number> {
    try {
      const purged = await this.idempotency.purgeExpired();
      if (purged > 0) this.logger.log({ event: 'idempotency.purged', keys: purged }, 'expired idempotency keys purged');
      return purged;
    } catch (error) {
      this.logger.error({ err: error }, 'purging expired idempotency keys failed');
      return 0;
    }
  }
}
