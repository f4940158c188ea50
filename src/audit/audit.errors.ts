import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';

export class AuditExportsBusyError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'AUDIT_EXPORTS_BUSY',
    kind: 'rate_limited',
    headers: ['Retry-After'],
  };

  override readonly retryAfterSeconds: number;

  constructor(limit: number, retryAfterSeconds: number) {
    super(`${limit} audit exports are already running; try again after Retry-After seconds.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class AuditVerificationsBusyError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'AUDIT_VERIFICATIONS_BUSY',
    kind: 'rate_limited',
    headers: ['Retry-After'],
  };

  override readonly retryAfterSeconds: number;

  constructor(limit: number, retryAfterSeconds: number) {
    super(`${limit} chain verifications are already running; try again after Retry-After seconds.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
