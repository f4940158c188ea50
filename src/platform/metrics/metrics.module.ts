import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Global: business modules register their counters in the one registry (served by health's MetricsController). */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
