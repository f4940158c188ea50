import { DomainError } from '../errors/domain-error';
import { InvalidRequestError } from '../errors/invalid-request.error';

/**
 * What an `If-Match` header asks for: `any` (`*` or no header: no
 * precondition) or one of a list of strong entity tags.
 */
export type IfMatch = { any: true } | { any: false; tags: string[] };

export const NO_PRECONDITION: IfMatch = { any: true };

/** The edited resource changed since the client read it (its ETag no longer matches `If-Match`). */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition_failed';
  constructor(current: string) {
    super(
      'PRECONDITION_FAILED',
      'The resource changed since you read it: nothing was changed. Read it again and retry with its new ETag.',
      { currentETag: current },
    );
  }
}

/** The strong ETag of a resource at `version`: `"3"`. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
// One element of the comma-separated list; empty elements are allowed (§5.6.1).
const LIST_ELEMENT = /[ \t]*(?:(W\/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(?:,|$)/y;

/** Parses `If-Match` (RFC 9110 §13.1.1); a header that is not `*` or a list of entity tags is a 400. */
export function parseIfMatch(header: string | string[] | undefined): IfMatch {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value === undefined || value.trim() === '*') return NO_PRECONDITION;
  const tags: string[] = [];
  let elements = 0;
  for (let position = 0; position < value.length; position = LIST_ELEMENT.lastIndex) {
    LIST_ELEMENT.lastIndex = position;
    const match = LIST_ELEMENT.exec(value);
    if (!match || LIST_ELEMENT.lastIndex === position) throw malformed();
    if (match[2]) elements += 1;
    // If-Match compares strongly: a weak tag never matches, but it is well-formed.
    if (match[2] && !match[1]) tags.push(match[2]);
  }
  if (elements === 0) throw malformed();
  return { any: false, tags };
}

/** Throws PreconditionFailedError (412) unless `ifMatch` admits the resource at `version`. */
export function ensureMatches(ifMatch: IfMatch, version: number): void {
  const current = etagFor(version);
  if (!ifMatch.any && !ifMatch.tags.includes(current)) throw new PreconditionFailedError(current);
}

function malformed(): InvalidRequestError {
  return new InvalidRequestError([
    { field: 'If-Match', message: 'If-Match must be * or a list of entity tags such as "3", as sent in ETag' },
  ]);
}
