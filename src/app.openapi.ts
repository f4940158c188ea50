import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  getSchemaPath,
  type OpenAPIObject,
  type OperationObject,
  SwaggerModule,
} from '@nestjs/swagger';
import packageJson from '../package.json';
import { InvalidCredentialError } from './identity/auth.errors';
import { InvalidRequestError } from './platform/errors/invalid-request.error';
import {
  DATABASE_UNAVAILABLE,
  INVALID_CONTENT_LENGTH,
  MALFORMED_JSON,
  MALFORMED_URL,
  PATH_PARAMETER_TOO_LONG,
  PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE,
} from './platform/errors/platform-problems';
import { type DocumentedProblem, documentedProblemOf, PROBLEM_CONTENT_TYPE } from './platform/errors/problem';
import { documentProblems } from './platform/errors/problem-document';
import { ProblemDetailsDto } from './platform/errors/problem-details.dto';
import { RateLimitedError } from './platform/errors/rate-limited.error';
import { JsonTooDeepError } from './platform/http/json-body-parser';
import { SUCCESS_HEADERS_EXTENSION } from './platform/http/documented-answer';
import { API_KEY_SECURITY, BEARER_SECURITY } from './platform/http/openapi-security';
import { type DocumentedHeader, headerComponents, headerReferences } from './platform/http/response-headers';
import { UNTHROTTLED_EXTENSION } from './platform/http/unthrottled.decorator';
import { validatedClasses } from './platform/library-internals/class-validator';
import { documentValidationConstraints } from './platform/openapi/validation-constraints';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** Every tag the controllers use, one per module (ops endpoints apart), with what a reader finds under it. */
const TAGS: Readonly<Record<string, string>> = {
  auth: 'Registration, sign-in, token refresh and sign-out: the entry points that need no credentials.',
  me: "The signed-in user's own account: profile, password, multi-factor authentication.",
  users: 'User accounts, managed by administrators, and by organization admins within their organization.',
  organizations: 'Customer organizations.',
  'api-keys': "API keys for machine clients: each acts for its user, with some of that user's roles.",
  catalog: 'Products, categories and stock: read by anyone, edited by staff.',
  orders: 'Orders: placing them against the catalog, reading, cancelling and fulfilling them.',
  billing: "Invoices, card payments, refunds, and the payment provider's webhooks.",
  audit: 'The tamper-evident audit trail: events, their export, chain verification and signed checkpoints.',
  operations: 'Probes and metrics for the platform that runs the service, not for integrators.',
};

/** Who answers integrators; the licence is package.json's. */
const CONTACT = { name: 'B2B commerce API team', email: 'api@b2b-commerce.example' };

/** The OpenAPI document served at `/docs-json`: generated from the controllers' and DTOs' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(packageJson.name)
    .setDescription(packageJson.description)
    .setVersion(packageJson.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SECURITY)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SECURITY)
    // Relative: the host that serves this document serves the API.
    .addServer('/', 'This server');
  for (const [tag, description] of Object.entries(TAGS)) builder.addTag(tag, description);
  const config = builder.build();
  config.info.license = { name: packageJson.license };
  config.info.contact = CONTACT;
  documentValidationConstraints(validatedClasses());
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetailsDto],
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  const operations = Object.values(document.paths).flatMap((pathItem) =>
    HTTP_METHODS.flatMap((method) => pathItem[method] ?? []),
  );
  const throttled = new Set(operations.filter((operation) => !takeExtension(operation, UNTHROTTLED_EXTENSION)));
  documentProblems(document, operations, (operation) => problemsOfEveryKind(operation, throttled.has(operation)));
  for (const operation of operations) {
    operation.responses.default ??= {
      description: 'Any other error, as problem+json.',
      content: { [PROBLEM_CONTENT_TYPE.split(';')[0]]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
    };
    const successHeaders = (takeExtension(operation, SUCCESS_HEADERS_EXTENSION) ?? []) as DocumentedHeader[];
    documentHeadersOfEveryResponse(operation, throttled.has(operation), successHeaders);
    // The access decorators that require credentials (@Authorize, @Authenticated) or accept them
    // (@PublicShowingMoreWhenSignedIn) declare their schemes: what declares none is @Public(), said outright.
    operation.security ??= [];
  }
  (document.components ??= {}).headers = headerComponents();
  return document;
}

/**
 * Problems an operation can answer whatever its handler does, found from what
 * the document says of it: a credential that does not verify (checked on
 * every route, by `AuthenticationGuard`), input that fails validation, a body
 * the service cannot read, a path it cannot route, a rate limit, the database
 * out of reach (unless the operation documents its own 503: the probes).
 */
function problemsOfEveryKind(operation: OperationObject, throttled: boolean): DocumentedProblem[] {
  const parameters = (operation.parameters ?? []).filter((parameter) => 'in' in parameter);
  const takesBody = operation.requestBody !== undefined;
  const takesPath = parameters.some((parameter) => parameter.in === 'path');
  return [
    documentedProblemOf(InvalidCredentialError),
    ...(takesBody || parameters.length > 0 ? [documentedProblemOf(InvalidRequestError)] : []),
    ...(takesBody
      ? [
          MALFORMED_JSON,
          documentedProblemOf(JsonTooDeepError),
          INVALID_CONTENT_LENGTH,
          PAYLOAD_TOO_LARGE,
          UNSUPPORTED_MEDIA_TYPE,
        ]
      : []),
    ...(takesPath ? [MALFORMED_URL, PATH_PARAMETER_TOO_LONG] : []),
    ...(throttled ? [documentedProblemOf(RateLimitedError)] : []),
    ...(operation.responses['503'] ? [] : [DATABASE_UNAVAILABLE]),
  ];
}

/**
 * Every answer carries `X-Request-Id`, and, to a request with credentials,
 * `Cache-Control: private, no-cache` and `Vary` unless it documents a
 * Cache-Control of its own; every answer of a rate-limited route
 * that passed its limits, their state; every successful one, the headers its
 * decorators named (`@AnswersWithHeaders`).
 */
function documentHeadersOfEveryResponse(
  operation: OperationObject,
  throttled: boolean,
  successHeaders: readonly DocumentedHeader[],
): void {
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response || '$ref' in response) continue;
    const limits: DocumentedHeader[] = throttled && /^[23]/.test(status) ? ['RateLimit', 'RateLimit-Policy'] : [];
    const ownSuccess = /^2/.test(status) ? successHeaders : [];
    response.headers = {
      ...headerReferences('X-Request-Id', 'Cache-Control.private', 'Vary', ...limits, ...ownSuccess),
      ...response.headers,
    };
  }
}

function takeExtension(operation: OperationObject, key: string): unknown {
  const extended = operation as OperationObject & Record<string, unknown>;
  const value = extended[key];
  delete extended[key];
  return value;
}
