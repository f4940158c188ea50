import { type ArgumentMetadata, Param, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { InvalidRequestError } from '../errors/invalid-request.error';

/** Refuses a path parameter that is not a UUID as a validation failure naming it, as a query field's would be. */
class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, { data }: ArgumentMetadata): string {
    if (isUUID(value)) return value;
    const field = data ?? 'path';
    throw new InvalidRequestError([{ field, message: `${field} must be a UUID` }]);
  }
}

/**
 * The path parameter `name`, a UUID: anything else is a 400 problem with
 * `errors: [{ field: name, message }]`. Documented with `format: uuid`.
 */
export function UuidParam(name: string): ParameterDecorator {
  return (target, method, index) => {
    Param(name, UuidParamPipe)(target, method, index);
    const handler = method === undefined ? undefined : Object.getOwnPropertyDescriptor(target, method);
    if (method !== undefined && handler) {
      ApiParam({ name, type: 'string', format: 'uuid' })(target, method, handler);
    }
  };
}
