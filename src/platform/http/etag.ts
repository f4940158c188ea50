import { createHash } from 'node:crypto';
import { DomainError, type ProblemDeclaration } from '../errors/domain-error';
import { InvalidRequestError } from '../errors/invalid-request.error';

/**
 * What an `If-Match` header asks for: `any` (`*` or no header: no
 * precondition) or one of a list of strong entity tags.
 */
export type IfMatch = { any: true } | { any: false; tags: string[] };

export const NO_PRECONDITION: IfMatch = { any: true };

/** The edited resource changed since the client read it (its ETag no longer matches `If-Match`). */
export class PreconditionFailedError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'PRECONDITION_FAILED',
    kind: 'precondition_failed',
    extensions: { currentETag: { type: 'string', example: '"4"' } },
  };

  constructor(current: string) {
    super('The resource changed since you read it: nothing was changed. Read it again and retry with its new ETag.', {
      currentETag: current,
    });
  }
}

/** A resource whose representation carries its optimistic-concurrency version. */
export interface Versioned {
  version: number;
}

/** The version tag of a resource at `version`, `"3"`: what If-Match compares, and a 412's `currentETag`. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

/**
 * The strong ETag of a representation, `"3-<digest>"`: its version, then a
 * digest of the whole body. The version alone is not a validator of what a
 * read answers: a product's stock, for one, moves without an edit, and a 304
 * would leave a client with the old figure. A digest of the body changes
 * whenever the representation does, whatever field it is, at the cost of one
 * hash of a small JSON document per answer.
 */
export function etagOf(representation: Versioned): string {
  const digest = createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 16);
  return `"${representation.version}-${digest}"`;
}

/** The version an ETag of ours carries (`"3"` or `"3-<digest>"`), or undefined. */
function versionOf(tag: string): number | undefined {
  const match = /^"(\d{1,15})(?:-[A-Za-z0-9_-]*)?"$/.exec(tag);
  return match ? Number(match[1]) : undefined;
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
// One element of the comma-separated list; empty elements are allowed (§5.6.1).
const LIST_ELEMENT = /[ \t]*(?:(W\/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(?:,|$)/y;

interface EntityTag {
  weak: boolean;
  /** The quoted opaque tag, `"3"`. */
  opaque: string;
}

/** The entity tags of an `If-Match` or `If-None-Match` list, or undefined when the value is not such a list. */
function parseEntityTags(value: string): EntityTag[] | undefined {
  const tags: EntityTag[] = [];
  for (let position = 0; position < value.length; position = LIST_ELEMENT.lastIndex) {
    LIST_ELEMENT.lastIndex = position;
    const match = LIST_ELEMENT.exec(value);
    if (!match || LIST_ELEMENT.lastIndex === position) return undefined;
    if (match[2]) tags.push({ weak: match[1] !== undefined, opaque: match[2] });
  }
  return tags.length > 0 ? tags : undefined;
}

const joined = (header: string | string[] | undefined): string | undefined =>
  Array.isArray(header) ? header.join(', ') : header;

/** Parses `If-Match` (RFC 9110 §13.1.1); a header that is not `*` or a list of entity tags is a 400. */
export function parseIfMatch(header: string | string[] | undefined): IfMatch {
  const value = joined(header);
  if (value === undefined || value.trim() === '*') return NO_PRECONDITION;
  const tags = parseEntityTags(value);
  if (!tags) throw malformed();
  // If-Match compares strongly: a weak tag never matches, but it is well-formed.
  return { any: false, tags: tags.filter((tag) => !tag.weak).map((tag) => tag.opaque) };
}

/**
 * Whether `If-None-Match` (RFC 9110 §13.1.2) names the current representation,
 * whose ETag is `current`: `*`, or any tag of the list by weak comparison (the
 * `W/` prefix ignored). A header that is not a list of entity tags names
 * nothing: the full answer is always correct, so it is not refused.
 */
export function noneMatchNames(header: string | string[] | undefined, current: string): boolean {
  const value = joined(header);
  if (value === undefined) return false;
  if (value.trim() === '*') return true;
  const currentOpaque = current.startsWith('W/') ? current.slice(2) : current;
  return parseEntityTags(value)?.some((tag) => tag.opaque === currentOpaque) ?? false;
}

/**
 * Throws PreconditionFailedError (412) unless `ifMatch` admits the resource at
 * `version`. An edit's precondition is the version the client read, not the
 * whole representation: a stock move between the read and the edit changes
 * the body (and the read's ETag) but is no edit, and must not refuse one.
 */
export function ensureMatches(ifMatch: IfMatch, version: number): void {
  if (!ifMatch.any && !ifMatch.tags.some((tag) => versionOf(tag) === version)) {
    throw new PreconditionFailedError(etagFor(version));
  }
}

function malformed(): InvalidRequestError {
  return new InvalidRequestError([
    { field: 'If-Match', message: 'If-Match must be * or a list of entity tags such as "3", as sent in ETag' },
  ]);
}
