import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import type { ConcurrencyLimit } from '../platform/scheduling/concurrency-limit';

/** Every slot of a ConcurrencyLimit is taken: 429, with the wait the limit estimates as Retry-After. */
abstract class SlotsTakenError extends DomainError {
  override readonly retryAfterSeconds: number;

  protected constructor(running: string, limit: ConcurrencyLimit) {
    super(`${limit.max} ${running} are already running; try again after Retry-After seconds.`);
    this.retryAfterSeconds = limit.retryAfterSeconds();
  }
}

export class AuditExportsBusyError extends SlotsTakenError {
  static readonly problem: ProblemDeclaration = {
    code: 'AUDIT_EXPORTS_BUSY',
    kind: 'rate_limited',
    headers: ['Retry-After'],
  };

  constructor(exports: ConcurrencyLimit) {
    super('audit exports', exports);
  }
}

export class AuditVerificationsBusyError extends SlotsTakenError {
  static readonly problem: ProblemDeclaration = {
    code: 'AUDIT_VERIFICATIONS_BUSY',
    kind: 'rate_limited',
    headers: ['Retry-After'],
  };

  constructor(verifications: ConcurrencyLimit) {
    super('chain verifications', verifications);
  }
}
