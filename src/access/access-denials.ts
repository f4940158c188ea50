import { Injectable, Logger } from '@nestjs/common';
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
 * object checks in services — so each one can be recorded.
 */
@Injectable()
export class AccessDenials {
  private readonly logger = new Logger(AccessDenials.name);

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
  }
}
