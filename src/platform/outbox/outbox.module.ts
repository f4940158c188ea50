import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Environment } from '../config/environment';
import { JetStreamBroker } from './event-broker';
import { Outbox } from './outbox';
import { OutboxEvent } from './outbox-event.entity';
import { OutboxMetrics } from './outbox-metrics';
import { OutboxPublisher } from './outbox-publisher';

/**
 * The transactional outbox: `Outbox` writes domain events in the caller's
 * transaction; with a broker configured (`BROKER_URL`), `OutboxPublisher`
 * carries them to it. Without one they wait in the table.
 */
@Global()
@Module({})
export class OutboxModule {
  static forEnvironment(environment: Environment): DynamicModule {
    const publishing: Provider[] = environment.BROKER_URL
      ? [
          {
            provide: JetStreamBroker,
            useValue: new JetStreamBroker(environment.BROKER_URL, environment.BROKER_STREAM),
          },
          OutboxPublisher,
        ]
      : [];
    return {
      module: OutboxModule,
      imports: [TypeOrmModule.forFeature([OutboxEvent])],
      providers: [Outbox, OutboxMetrics, ...publishing],
      exports: [Outbox],
    };
  }
}
