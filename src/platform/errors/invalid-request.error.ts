import type { ValidationError } from 'class-validator';
import { DomainError } from './domain-error';

export interface FieldError {
  field: string;
  message: string;
}

/** Request input that failed validation; lists every offending field. */
export class InvalidRequestError extends DomainError {
  readonly kind = 'invalid_input';

  constructor(readonly errors: FieldError[]) {
    super('VALIDATION_FAILED', 'The request is invalid; see errors for each field.', { errors });
  }

  static fromValidationErrors(validationErrors: ValidationError[]): InvalidRequestError {
    return new InvalidRequestError(flatten(validationErrors, ''));
  }
}

function flatten(validationErrors: ValidationError[], parentPath: string): FieldError[] {
  return validationErrors.flatMap((error) => {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
