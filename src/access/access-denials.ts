import { Injectable, Logger } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import type { Principal } from './actor';
import type { Action, SubjectType } from './policy';

export interface Denial {
  principal: Principal;
  /** 401: no valid credential; 403: the role may never; 404: the object is not visible to this caller. */
  status: 401 | 403 | 404;
  action?: Action;
  subjectType?: SubjectType;
  resourceId?: string;
  reason: string;
}

/**
 * The single place every access denial passes through — the guards and the
 * object checks in services — so each one is logged and recorded in the audit
 * trail (outcome `denied`), in its own transaction: the denied request's own
 * transaction, if any, rolls back.
 */
@Injectable()
export class AccessDenials {
  private readonly logger = new Logger(AccessDenials.name);

  constructor(private readonly audit: AuditRecorder) {}

  record(denial: Denial): void {
    this.logger.warn(
      {
        event: 'access.denied',
        status: denial.status,
        actorId: denial.principal?.userId ?? null,
        action: denial.action,
        subjectType: denial.subjectType,
        resourceId: denial.resourceId,
        reason: denial.reason,
      },
      'access denied',
    );
    this.audit
      .recordStandalone({
        actor: denial.principal,
        action: 'access.denied',
        outcome: 'denied',
        resource: { type: denial.subjectType ?? 'Endpoint', id: denial.resourceId ?? null },
        details: { status: denial.status, attemptedAction: denial.action ?? null, reason: denial.reason },
      })
      .catch((error: unknown) => this.logger.error({ event: 'access.denied.audit_failed', err: error }));
  }
}
