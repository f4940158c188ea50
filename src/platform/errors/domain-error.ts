import type { SchemaObject } from '@nestjs/swagger';
import type { DocumentedHeader } from '../http/response-headers';

/**
 * What kind of failure a domain error is. The problem filter maps each kind to
 * one HTTP status; services speak in kinds, never in status codes.
 */
export type DomainErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'unprocessable'
  | 'payment_required'
  | 'rate_limited';

/**
 * What the problem of an error class looks like, declared once on the class
 * (`static readonly problem`): the problem filter answers with it and the
 * OpenAPI document describes it from it.
 */
export interface ProblemDeclaration {
  /** Stable upper-snake code (`INSUFFICIENT_STOCK`): becomes the problem `type`. */
  readonly code: string;
  readonly kind: DomainErrorKind;
  /** The extension members every such problem carries, by name, with their JSON schemas. */
  readonly extensions?: Readonly<Record<string, SchemaObject>>;
  /** Response headers sent with it, from the shared table. */
  readonly headers?: readonly DocumentedHeader[];
}

/** An error class: constructible to a DomainError, and declaring its problem. */
export type DomainErrorClass = (abstract new (...args: never[]) => DomainError) & {
  readonly problem: ProblemDeclaration;
};

/**
 * Base of every error a module throws on purpose. Its class declares its
 * `problem` (code, kind, extension members); an instance carries the
 * `extensions` values a client can act on.
 */
export abstract class DomainError extends Error {
  readonly code: string;
  readonly kind: DomainErrorKind;
  /** For a problem sent with `Retry-After` (see its declaration's headers): the seconds to wait. */
  readonly retryAfterSeconds?: number;

  protected constructor(
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
    const { problem } = new.target as unknown as Partial<DomainErrorClass>;
    if (!problem) throw new TypeError(`${new.target.name} declares no static problem`);
    this.code = problem.code;
    this.kind = problem.kind;
  }
}
