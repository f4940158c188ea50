import { DomainError } from '../platform/errors/domain-error';

export class AuditExportsBusyError extends DomainError {
  readonly kind = 'rate_limited';
  constructor(limit: number) {
    super('AUDIT_EXPORTS_BUSY', `${limit} audit exports are already running; try again when one has finished.`);
  }
}
