import { applyDecorators, Header, HttpStatus, type Type } from '@nestjs/common';
import { DocumentedAnswer } from './documented-answer';

/**
 * On an endpoint whose answer carries credentials (tokens, secrets, keys,
 * recovery codes): sends `Cache-Control: no-store` with its successful answer
 * (`status`, of body `type`), so that no cache, shared or the client's own,
 * keeps it, and documents that answer with the header.
 */
export function ReturnsCredentials(type: Type<unknown>, status: HttpStatus = HttpStatus.OK) {
  return applyDecorators(
    Header('Cache-Control', 'no-store'),
    DocumentedAnswer(status, type, 'The answer, carrying credentials.', {
      'Cache-Control': {
        description: 'The answer carries credentials: no cache may keep it.',
        schema: { type: 'string', enum: ['no-store'] },
      },
    }),
  );
}
