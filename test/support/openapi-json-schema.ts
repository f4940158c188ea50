import type { OpenAPIV3 } from 'openapi-types';

/** Where the converted `components.schemas` live for Ajv: a `$ref` to one becomes `<this>#/$defs/<name>`. */
export const COMPONENTS_SCHEMA_ID = 'openapi-components';

const COMPONENT_REF = /^#\/components\/schemas\//;

/** OpenAPI-only keywords that say nothing a validator checks; Ajv's strict mode would refuse them. */
const ANNOTATIONS_ONLY = new Set(['example', 'xml', 'externalDocs', 'discriminator']);

type JsonSchema = Record<string, unknown>;

/**
 * An OpenAPI 3.0 schema object as the JSON Schema (draft-07) it means, for Ajv:
 * `nullable` becomes a `null` alternative, 3.0's boolean `exclusiveMinimum`/
 * `exclusiveMaximum` the numeric form, component references point into
 * {@link componentsSchema}, and annotations and `x-` extensions go.
 */
export function toJsonSchema(schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject): JsonSchema {
  if ('$ref' in schema) return { $ref: componentRef(schema.$ref) };
  const { nullable, exclusiveMinimum, exclusiveMaximum, minimum, maximum, ...rest } = schema;
  const converted: JsonSchema = {};
  for (const [keyword, value] of Object.entries(rest)) {
    if (ANNOTATIONS_ONLY.has(keyword) || keyword.startsWith('x-')) continue;
    converted[keyword] = convertKeyword(keyword, value);
  }
  Object.assign(converted, bound('minimum', minimum, exclusiveMinimum), bound('maximum', maximum, exclusiveMaximum));
  return nullable ? withNull(converted) : converted;
}

/** Every component schema, converted, under one id that the converted references name. */
export function componentsSchema(document: OpenAPIV3.Document): JsonSchema {
  const schemas = document.components?.schemas ?? {};
  return {
    $id: COMPONENTS_SCHEMA_ID,
    $defs: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, toJsonSchema(schema)])),
  };
}

function componentRef(ref: string): string {
  if (!COMPONENT_REF.test(ref)) throw new Error(`Only #/components/schemas references are supported, got ${ref}`);
  return `${COMPONENTS_SCHEMA_ID}#/$defs/${ref.replace(COMPONENT_REF, '')}`;
}

type Schema = OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject;

function convertKeyword(keyword: string, value: unknown): unknown {
  switch (keyword) {
    case 'items':
    case 'not':
      return toJsonSchema(value as Schema);
    case 'additionalProperties':
      return typeof value === 'boolean' ? value : toJsonSchema(value as Schema);
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
      return (value as Schema[]).map(toJsonSchema);
    case 'properties':
      return Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    default:
      return value;
  }
}

/** 3.0: `exclusiveMinimum: true` qualifies `minimum`; draft-07: `exclusiveMinimum` is the bound itself. */
function bound(name: 'minimum' | 'maximum', value: number | undefined, exclusive: boolean | undefined): JsonSchema {
  if (value === undefined) return {};
  return exclusive ? { [`exclusive${name[0].toUpperCase()}${name.slice(1)}`]: value } : { [name]: value };
}

function withNull(schema: JsonSchema): JsonSchema {
  const { type, enum: values } = schema;
  if (typeof type === 'string') {
    return { ...schema, type: [type, 'null'], ...(Array.isArray(values) ? { enum: [...values, null] } : {}) };
  }
  return { anyOf: [schema, { type: 'null' }] };
}
