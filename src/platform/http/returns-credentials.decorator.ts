import { applyDecorators, Header, HttpStatus, type Type } from '@nestjs/common';
import { DocumentedAnswer } from './documented-answer';
import { NO_STORE } from './response-headers';

/**
 * On an endpoint whose answer carries credentials (tokens, secrets, keys,
 * recovery codes): sends `Cache-Control: no-store` with its successful answer
 * (`status`, of body `type`), so that no cache, shared or the client's own,
 * keeps it, and documents that answer with the header.
 */
export function ReturnsCredentials(type: Type<unknown>, status: HttpStatus = HttpStatus.OK) {
  return applyDecorators(
    Header('Cache-Control', NO_STORE),
    DocumentedAnswer(status, type, 'The answer, carrying credentials.', 'Cache-Control.no-store'),
  );
}
