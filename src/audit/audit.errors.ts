import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';

export class AuditExportsBusyError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'AUDIT_EXPORTS_BUSY',
    kind: 'rate_limited',
    headers: ['Retry-After'],
  };

  constructor(limit: number) {
    super(`${limit} audit exports are already running; try again when one has finished.`);
  }
}
