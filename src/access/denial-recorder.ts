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
 * Where a denial is kept on record. A port: access sits below the audit trail
 * and must not import it, so audit implements this and binds it in its own
 * (global) module, where AccessDenials finds it.
 */
export abstract class DenialRecorder {
  /** Records `denial` whatever becomes of the caller's transaction (the denied request's rolls back). */
  abstract recordDenial(denial: Denial): Promise<void>;
}
