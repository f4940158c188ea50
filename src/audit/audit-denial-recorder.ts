import { Injectable } from '@nestjs/common';
import { type Denial, DenialRecorder } from '../access/denial-recorder';
import { AuditRecorder } from './audit-recorder';

/** Access denials in the audit trail: `access.denied`, outcome `denied`, in a transaction of their own. */
@Injectable()
export class AuditDenialRecorder extends DenialRecorder {
  constructor(private readonly audit: AuditRecorder) {
    super();
  }

  recordDenial(denial: Denial): Promise<void> {
    return this.audit.recordStandalone({
      actor: denial.principal,
      action: 'access.denied',
      outcome: 'denied',
      resource: { type: denial.subjectType ?? 'Endpoint', id: denial.resourceId ?? null },
      details: { status: denial.status, attemptedAction: denial.action ?? null, reason: denial.reason },
    });
  }
}
