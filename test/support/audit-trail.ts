import { DataSource } from 'typeorm';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import type { TestApp } from './test-app';

/** The audit events about one resource, oldest first, read straight from the table. */
export function auditEventsAbout(testApp: TestApp, resourceId: string): Promise<AuditEvent[]> {
  return testApp.app
    .get(DataSource)
    .getRepository(AuditEvent)
    .find({ where: { resourceId }, order: { occurredAt: 'ASC' } });
}
