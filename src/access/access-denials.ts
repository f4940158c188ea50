import { Injectable, Logger } from '@nestjs/common';
import { type Denial, DenialRecorder } from './denial-recorder';

/**
 * The single place every access denial passes through — the guards and the
 * object checks in services — so each one is logged and kept on record through
 * `DenialRecorder` (the audit trail, outcome `denied`), in its own transaction:
 * the denied request's own transaction, if any, rolls back.
 */
@Injectable()
export class AccessDenials {
  private readonly logger = new Logger(AccessDenials.name);

  constructor(private readonly recorder: DenialRecorder) {}

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
    this.recorder
      .recordDenial(denial)
      .catch((error: unknown) => this.logger.error({ event: 'access.denied.audit_failed', err: error }));
  }
}
