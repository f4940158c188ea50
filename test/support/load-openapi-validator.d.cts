/** The part of @seriousme/openapi-schema-validator the tests use. */
interface OpenApiValidator {
  validate(document: Record<string, unknown>): Promise<{ valid: boolean; errors?: unknown }>;
}

declare const loadOpenApiValidator: () => Promise<{ Validator: new () => OpenApiValidator }>;
export = loadOpenApiValidator;
