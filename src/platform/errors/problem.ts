import { STATUS_CODES } from 'node:http';
import type { SchemaObject } from '@nestjs/swagger';
import type { DocumentedHeader } from '../http/response-headers';
import type { DomainErrorClass, DomainErrorKind } from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const PROBLEM_TYPE_BASE = 'https://problems.b2b-commerce.example/';

export const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  unprocessable: 422,
  rate_limited: 429,
};

/** A problem as the document describes it: an error class's declaration, or one the platform answers itself. */
export interface DocumentedProblem {
  readonly code: string;
  readonly status: number;
  readonly extensions?: Readonly<Record<string, SchemaObject>>;
  readonly headers?: readonly DocumentedHeader[];
}

export function documentedProblemOf(errorClass: DomainErrorClass): DocumentedProblem {
  const { kind, ...problem } = errorClass.problem;
  return { ...problem, status: STATUS_BY_KIND[kind] };
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  [extension: string]: unknown;
}

export interface ProblemParts {
  status: number;
  /** Stable upper-snake code, e.g. `INSUFFICIENT_STOCK`; becomes the `type`. */
  code: string;
  detail: string;
  instance: string;
  requestId: string;
  extensions?: Record<string, unknown>;
}

/** The RFC 9457 body every error response of this service carries. */
export function problemOf({ status, code, detail, instance, requestId, extensions }: ProblemParts): Problem {
  return { type: problemType(code), title: statusTitle(status), status, detail, instance, requestId, ...extensions };
}

/** `INSUFFICIENT_STOCK` → `https://…/insufficient-stock`. */
export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, '-');
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
