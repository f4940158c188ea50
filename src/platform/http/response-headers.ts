import type { HeaderObject, ReferenceObject } from '@nestjs/swagger';

interface HeaderDefinition extends HeaderObject {
  /** The field name on the wire; several definitions may describe one field (Cache-Control). */
  name: string;
}

/**
 * Every response header the document describes, defined once: the served
 * document lists them under `components.headers` (by these keys) and each
 * response refers to them there.
 */
const HEADER_DEFINITIONS = {
  'X-Request-Id': {
    name: 'X-Request-Id',
    description: 'The request id: yours when you sent a sane one (1-128 of A-Z a-z 0-9 . _ : -), else a fresh UUID.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  'Retry-After': {
    name: 'Retry-After',
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
  RateLimit: {
    name: 'RateLimit',
    description:
      'The state of each rate-limit policy in force, as draft-ietf-httpapi-ratelimit-headers: `"<policy>";r=<requests ' +
      'left>;t=<seconds until the window ends>`, one list member per policy.',
    schema: { type: 'string', example: '"default";r=599;t=60' },
  },
  'RateLimit-Policy': {
    name: 'RateLimit-Policy',
    description:
      'Each rate-limit policy in force: `"<policy>";q=<requests>;w=<window in seconds>`, one list member per policy.',
    schema: { type: 'string', example: '"default";q=600;w=60' },
  },
  Location: {
    name: 'Location',
    description: 'The URL path of what was created.',
    schema: { type: 'string', format: 'uri-reference' },
  },
  ETag: {
    name: 'ETag',
    description: 'The version of the resource, for If-Match on edits and If-None-Match on reads.',
    schema: { type: 'string', example: '"3"' },
  },
  'Cache-Control.no-store': {
    name: 'Cache-Control',
    description: 'The answer carries credentials: no cache may keep it.',
    schema: { type: 'string', enum: ['no-store'] },
  },
  'Cache-Control.revalidate': {
    name: 'Cache-Control',
    description:
      '`public, no-cache` when the request carried no credentials (anyone may see the answer; caches revalidate it ' +
      'each time), else `private, no-cache`.',
    schema: { type: 'string', enum: ['public, no-cache', 'private, no-cache'] },
  },
  Vary: {
    name: 'Vary',
    description: 'Includes `Authorization, X-API-Key`: the answer depends on who asks.',
    schema: { type: 'string' },
  },
  'Idempotent-Replayed': {
    name: 'Idempotent-Replayed',
    description: 'Present on a replay: this is the first answer to the same Idempotency-Key and request.',
    schema: { type: 'string', enum: ['true'] },
  },
} satisfies Record<string, HeaderDefinition>;

export type DocumentedHeader = keyof typeof HEADER_DEFINITIONS;

/** `components.headers` of the served document. */
export function headerComponents(): Record<string, HeaderObject> {
  return Object.fromEntries(
    Object.entries(HEADER_DEFINITIONS).map(([key, { name: _name, ...header }]) => [key, header as HeaderObject]),
  );
}

/** A response's `headers`: each field name with a reference to its shared definition. */
export function headerReferences(...keys: readonly DocumentedHeader[]): Record<string, ReferenceObject> {
  return Object.fromEntries(keys.map((key) => [HEADER_DEFINITIONS[key].name, { $ref: `#/components/headers/${key}` }]));
}
