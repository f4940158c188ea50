import type { HeaderObject, ReferenceObject } from '@nestjs/swagger';

/** What anyone may see: shared caches may keep it, but must ask each time whether it is still current. */
export const ANONYMOUS_CACHE_CONTROL = 'public, no-cache';
/** What a credential was shown for: for the caller's own cache only, revalidated each time. */
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';
/** An answer carrying credentials: no cache, shared or the client's own, keeps it. */
export const NO_STORE = 'no-store';
/** A read answers by who asks (an archived product is 404 to a customer): caches key it by the credentials too. */
export const VARY_BY_CREDENTIALS = 'Authorization, X-API-Key';

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
    description:
      'The representation\'s tag, `"<version>-<digest>"`: for If-None-Match on reads (it changes whenever the body ' +
      'does), and for If-Match on edits (which compares the version it carries).',
    schema: { type: 'string' },
  },
  'Cache-Control.no-store': {
    name: 'Cache-Control',
    description: 'The answer carries credentials: no cache may keep it.',
    schema: { type: 'string', enum: [NO_STORE] },
  },
  'Cache-Control.revalidate': {
    name: 'Cache-Control',
    description:
      `\`${ANONYMOUS_CACHE_CONTROL}\` when the request carried no credentials (anyone may see the answer; caches ` +
      `revalidate it each time), else \`${PRIVATE_CACHE_CONTROL}\`.`,
    schema: { type: 'string', enum: [ANONYMOUS_CACHE_CONTROL, PRIVATE_CACHE_CONTROL] },
  },
  'Cache-Control.private': {
    name: 'Cache-Control',
    description:
      `\`${PRIVATE_CACHE_CONTROL}\` when the request carried credentials (\`Authorization\`, \`X-API-Key\`): the ` +
      'answer is for the caller only. Absent on anonymous requests.',
    schema: { type: 'string', enum: [PRIVATE_CACHE_CONTROL] },
  },
  Vary: {
    name: 'Vary',
    description: `Includes \`${VARY_BY_CREDENTIALS}\`: the answer depends on who asks.`,
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
