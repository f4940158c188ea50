import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { OutboxEvent } from './outbox-event.entity';

export interface DomainEvent {
  type: string;
  aggregate: { type: string; id: string };
  payload: Record<string, unknown>;
}

/** Writes domain events in the caller's transaction: they exist exactly when the change they announce does. */
@Injectable()
export class Outbox {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async add(event: DomainEvent): Promise<void> {
    if (!this.txHost.isTransactionActive()) {
      throw new Error(
        `Outbox.add(${event.type}) needs the caller's transaction: call it from a @Transactional() method`,
      );
    }
    const events = this.txHost.tx.getRepository(OutboxEvent);
    await events.save(
      events.create({
        type: event.type,
        aggregateType: event.aggregate.type,
        aggregateId: event.aggregate.id,
        payload: event.payload,
      }),
      { reload: false },
    );
  }
}
