import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A provider event applied once: a second delivery of the same id finds it here and changes nothing. */
@Entity({ name: 'webhook_events' })
export class WebhookEvent {
  @PrimaryColumn({ type: 'text' })
  provider!: string;

  @PrimaryColumn({ type: 'text' })
  eventId!: string;

  @Column({ type: 'text' })
  type!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt!: Date;
}
