import fc from 'fast-check';
import { type OpenApiDocument, resolve, type SchemaObject, type SchemaOrReference } from '../openapi-document';
import { junkKey, junkValue } from './junk';

type Key = string | number;

const MAX_DEPTH = 4;

/**
 * Values a schema accepts, or close to it: enough for requests to get past
 * the first check and reach the deeper ones. Unknown shapes get any JSON.
 */
export function validValue(document: OpenApiDocument, schema: SchemaOrReference, depth = 0): fc.Arbitrary<unknown> {
  const resolved = resolve(document, schema);
  if (depth > MAX_DEPTH) return fc.constant(null);
  if (resolved.enum?.length) return fc.constantFrom(...(resolved.enum as unknown[]));
  const alternatives = resolved.oneOf ?? resolved.anyOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((part) => validValue(document, part, depth + 1)));
  if (resolved.allOf?.length) return validValue(document, mergeAllOf(document, resolved), depth);
  switch (resolved.type) {
    case 'string':
      return validString(resolved);
    case 'integer':
      return fc.integer({ min: resolved.minimum ?? -1_000, max: resolved.maximum ?? 1_000 });
    case 'number':
      return fc.integer({ min: resolved.minimum ?? -1_000, max: resolved.maximum ?? 1_000 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(document, resolved.items, depth + 1), {
        minLength: resolved.minItems ?? 0,
        maxLength: Math.min(resolved.maxItems ?? 3, 3),
      });
    default:
      return resolved.type === 'object' || resolved.properties
        ? validObject(document, resolved, depth)
        : fc.jsonValue({ maxDepth: 1 });
  }
}

function validString(schema: SchemaObject): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
    case 'email':
      return fc.emailAddress();
    default:
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 20, 20) });
  }
}

function validObject(document: OpenApiDocument, schema: SchemaObject, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const shape = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValue(document, property, depth + 1)]),
  );
  return fc.record(shape, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
}

function mergeAllOf(document: OpenApiDocument, schema: SchemaObject): SchemaObject {
  const parts = (schema.allOf ?? []).map((part) => resolve(document, part));
  return {
    type: 'object',
    properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
    required: parts.flatMap((part) => part.required ?? []),
  };
}

type Mutation = { kind: 'remove' } | { kind: 'replace'; value: unknown } | { kind: 'add'; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'remove' }),
  junkValue.map((value): Mutation => ({ kind: 'replace', value })),
  fc.record({ key: junkKey, value: junkValue }).map(({ key, value }): Mutation => ({ kind: 'add', key, value })),
);

export interface MutatedValue {
  value: unknown;
  label: string;
}

/**
 * A schema-valid value broken in one place: a field removed, a field given a
 * value of the wrong type, size or content, or an unknown field added, at any
 * depth (the place is picked among the value's own nodes).
 */
export function mutatedValue(document: OpenApiDocument, schema: SchemaOrReference): fc.Arbitrary<MutatedValue> {
  return fc
    .tuple(validValue(document, schema), fc.nat(), mutation)
    .map(([value, pick, change]) => applyMutation(structuredClone(value), pick, change));
}

function applyMutation(value: unknown, pick: number, change: Mutation): MutatedValue {
  const paths = nodePaths(value, []);
  const path = paths[pick % paths.length];
  const where = path.length > 0 ? path.join('.') : '(root)';
  if (change.kind === 'replace' || path.length === 0) {
    const replacement = change.kind === 'remove' ? undefined : change.value;
    return { value: setAt(value, path, replacement), label: `wrong value at ${where}` };
  }
  if (change.kind === 'remove') return { value: removeAt(value, path), label: `missing ${where}` };
  const target = getAt(value, path);
  const host = isPlainObject(target) ? target : isPlainObject(value) ? value : undefined;
  if (!host) return { value: change.value, label: 'wrong value at (root)' };
  assign(host, change.key, change.value);
  return { value, label: `extra field ${JSON.stringify(change.key)}` };
}

function nodePaths(value: unknown, prefix: Key[]): Key[][] {
  const children: [Key, unknown][] = Array.isArray(value)
    ? value.map((item, index): [Key, unknown] => [index, item])
    : isPlainObject(value)
      ? Object.entries(value)
      : [];
  return [prefix, ...children.flatMap(([key, child]) => nodePaths(child, [...prefix, key]))];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getAt(value: unknown, path: Key[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<Key, unknown>)[key], value);
}

function setAt(value: unknown, path: Key[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  assign(getAt(value, path.slice(0, -1)) as object, path[path.length - 1], replacement);
  return value;
}

/** Defines rather than assigns, so a `__proto__` key becomes a field instead of a prototype. */
function assign(host: object, key: Key, value: unknown): void {
  Object.defineProperty(host, key, { value, enumerable: true, writable: true, configurable: true });
}

function removeAt(value: unknown, path: Key[]): unknown {
  const parent = getAt(value, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete (parent as Record<Key, unknown>)[key];
  return value;
}
