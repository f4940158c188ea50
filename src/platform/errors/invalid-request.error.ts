import type { SchemaObject } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import { DomainError, type ProblemDeclaration } from './domain-error';

export interface FieldError {
  field: string;
  message: string;
}

/** The `errors` member of the problems that name the offending fields, as an error class's problem extensions. */
export const FIELD_ERRORS: Readonly<Record<string, SchemaObject>> = {
  errors: {
    type: 'array',
    minItems: 1,
    description: 'One entry per offending field, named as the client wrote it (`items[1].quantity`, `If-Match`).',
    items: {
      type: 'object',
      required: ['field', 'message'],
      properties: { field: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

/** Request input that failed validation; lists every offending field. */
export class InvalidRequestError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'VALIDATION_FAILED',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor(readonly errors: FieldError[]) {
    super('The request is invalid; see errors for each field.', { errors });
  }

  static fromValidationErrors(validationErrors: ValidationError[]): InvalidRequestError {
    return new InvalidRequestError(flatten(validationErrors, ''));
  }
}

const ARRAY_INDEX = /^\d+$/;

/**
 * Fields as a client writes them, and as services name them in their own
 * errors: `shippingAddress.city`, `items[1].quantity`. A property of digits
 * only is an array element (Nest's ValidationPipe strips the parent's value,
 * so the parent cannot be asked); a member named `0` of an object is written
 * `[0]` too, which addresses it just as well.
 */
function flatten(validationErrors: ValidationError[], parentPath: string): FieldError[] {
  return validationErrors.flatMap((error) => {
    const field = !parentPath
      ? error.property
      : ARRAY_INDEX.test(error.property)
        ? `${parentPath}[${error.property}]`
        : `${parentPath}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
