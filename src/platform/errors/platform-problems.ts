import type { DocumentedProblem } from './problem';

/*
 * Problems the platform answers itself, before or around any handler (body
 * parsing, routing, the database gone): no error class of ours is thrown for
 * them, so they are declared here, read by whatever answers them and by the
 * OpenAPI document.
 */

export const MALFORMED_JSON = { code: 'MALFORMED_JSON', status: 400 } as const satisfies DocumentedProblem;

export const INVALID_CONTENT_LENGTH = {
  code: 'INVALID_CONTENT_LENGTH',
  status: 400,
} as const satisfies DocumentedProblem;

export const PAYLOAD_TOO_LARGE = { code: 'PAYLOAD_TOO_LARGE', status: 413 } as const satisfies DocumentedProblem;

export const UNSUPPORTED_MEDIA_TYPE = {
  code: 'UNSUPPORTED_MEDIA_TYPE',
  status: 415,
} as const satisfies DocumentedProblem;

export const MALFORMED_URL = { code: 'MALFORMED_URL', status: 400 } as const satisfies DocumentedProblem;

export const PATH_PARAMETER_TOO_LONG = {
  code: 'PATH_PARAMETER_TOO_LONG',
  status: 414,
} as const satisfies DocumentedProblem;

export const DATABASE_UNAVAILABLE = {
  code: 'DATABASE_UNAVAILABLE',
  status: 503,
  headers: ['Retry-After'],
} as const satisfies DocumentedProblem;
