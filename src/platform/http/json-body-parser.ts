import type { RawServerDefault } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError, type ProblemDeclaration } from '../errors/domain-error';

/**
 * Deeper than any body this API takes, and far below the depth at which the
 * recursive validation and transformation of a body overflows the stack.
 */
export const MAX_JSON_NESTING = 32;

export class JsonTooDeepError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'JSON_TOO_DEEP', kind: 'invalid_input' };

  constructor() {
    super(`The request body nests arrays or objects more than ${MAX_JSON_NESTING} levels deep.`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]);
const CLOSERS = new Set([0x5d, 0x7d]);

/** Whether `json` opens more than `limit` arrays or objects inside each other; one pass, no recursion. */
export function nestsDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < json.length; index++) {
    const char = json.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) index++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (OPENERS.has(char)) {
      if (++depth > limit) return true;
    } else if (CLOSERS.has(char)) {
      depth--;
    }
  }
  return false;
}

/**
 * The one body parser: JSON, as every route that takes a body takes it.
 * Fastify's JSON parser (prototype poisoning refused) behind a nesting check,
 * so a deeply nested body is a 400 before anything builds or walks it. Any
 * other media type is refused with 415 before it is read (Fastify's own
 * `text/plain` parser is removed; the app is created without Nest's
 * form parser), so no route ever sees a body it did not ask for. JSON keeps
 * its bytes as received for the routes that verify them (payment webhooks).
 */
export function useJsonBodies(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    const json = body.toString('utf8');
    if (nestsDeeperThan(json, MAX_JSON_NESTING)) {
      done(new JsonTooDeepError(), undefined);
      return;
    }
    void parseJson(request, json, done);
  });
}
