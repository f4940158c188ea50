import type { AuditRecord } from './audit-chain';
import type { AuditEvent } from './audit-event.entity';

/** An event and, once sealed, its place in the chain, as auditors see and hash it. */
export function toAuditRecord(
  event: AuditEvent,
  link: { seq: number; prevHash: string; hash: string | null } | null,
): AuditRecord {
  return {
    id: event.id,
    seq: link?.seq ?? null,
    occurredAt: event.occurredAt.toISOString(),
    actor: {
      type: event.actorType,
      id: event.actorId,
      organizationId: event.actorOrganizationId,
      apiKeyId: event.actorApiKeyId,
    },
    action: event.action,
    resource: { type: event.resourceType, id: event.resourceId },
    outcome: event.outcome,
    requestId: event.requestId,
    ip: event.ip,
    userAgent: event.userAgent,
    changes: event.changes,
    details: event.details,
    prevHash: link?.prevHash ?? null,
    hash: link?.hash ?? null,
  };
}
