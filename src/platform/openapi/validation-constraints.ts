import { types } from 'node:util';
import { ApiProperty, DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { Class } from '../library-internals/class-validator';

/** What the validators of one property say about its values, in OpenAPI terms (ApiProperty options). */
export interface DocumentedConstraints {
  type?: 'integer';
  isArray?: true;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: true;
}

/** The validator's arguments, and the property it checks (for the rules that depend on the property's type). */
type Rule = (constraints: readonly unknown[], property: { type: Class; name: string }) => DocumentedConstraints;

/** The pattern of a regular expression a JSON Schema validator reads the same way (they read patterns as Unicode). */
function patternOf(pattern: unknown, modifiers: unknown): string {
  // Not `instanceof RegExp`: under Jest a decorator's regular expression may come from another realm.
  const regExp = types.isRegExp(pattern) ? pattern : undefined;
  const source = regExp ? regExp.source : String(pattern);
  const flags = `${regExp ? regExp.flags : ''}${typeof modifiers === 'string' ? modifiers : ''}`;
  const unsupported = flags.replace(/[u]/g, '');
  if (unsupported)
    throw new Error(`@Matches(/${source}/${flags}): an OpenAPI pattern cannot carry the flags "${unsupported}"`);
  return source;
}

/** class-validator's constraint names (ValidationMetadata.name) and what each documents; the others document nothing. */
const RULES: Readonly<Record<string, Rule>> = {
  isInt: () => ({ type: 'integer' }),
  min: ([minimum]) => ({ minimum: minimum as number }),
  max: ([maximum]) => ({ maximum: maximum as number }),
  minLength: ([minLength]) => ({ minLength: minLength as number }),
  maxLength: ([maxLength]) => ({ maxLength: maxLength as number }),
  isLength: ([minLength, maxLength]) => ({
    minLength: minLength as number,
    ...(maxLength === undefined ? {} : { maxLength: maxLength as number }),
  }),
  matches: ([pattern, modifiers]) => ({ pattern: patternOf(pattern, modifiers) }),
  isIn: ([values]) => ({ enum: [...(values as unknown[])] }),
  // class-validator's own list of the enum's values (a numeric enum's reverse keys left out).
  isEnum: ([, values]) => ({ enum: [...(values as unknown[])] }),
  isUuid: () => ({ format: 'uuid' }),
  isEmail: () => ({ format: 'email' }),
  isISO4217CurrencyCode: () => ({ pattern: '^[A-Z]{3}$' }),
  isISO31661Alpha2: () => ({ pattern: '^[A-Z]{2}$' }),
  arrayMinSize: ([minItems]) => ({ minItems: minItems as number }),
  arrayMaxSize: ([maxItems]) => ({ maxItems: maxItems as number }),
  arrayNotEmpty: () => ({ minItems: 1 }),
  arrayUnique: () => ({ uniqueItems: true }),
  isNotEmpty: (_constraints, { type, name }) =>
    Reflect.getMetadata('design:type', type.prototype as object, name) === String ? { minLength: 1 } : {},
};

const LOWER_BOUNDS = new Set<keyof DocumentedConstraints>(['minimum', 'minLength', 'minItems']);
const UPPER_BOUNDS = new Set<keyof DocumentedConstraints>(['maximum', 'maxLength', 'maxItems']);

/** Bounds from two validators: the tighter holds. Any other keyword set twice must agree, or the document could not say both. */
function merge(into: DocumentedConstraints, add: DocumentedConstraints, where: string): DocumentedConstraints {
  const merged: Record<string, unknown> = { ...into };
  for (const [key, value] of Object.entries(add) as [keyof DocumentedConstraints, unknown][]) {
    const known = into[key];
    if (known === undefined) merged[key] = value;
    else if (LOWER_BOUNDS.has(key)) merged[key] = Math.max(known as number, value as number);
    else if (UPPER_BOUNDS.has(key)) merged[key] = Math.min(known as number, value as number);
    else if (JSON.stringify(known) !== JSON.stringify(value)) {
      throw new Error(`${where}: two validators set ${key} to ${JSON.stringify(known)} and ${JSON.stringify(value)}`);
    }
  }
  return merged;
}

/**
 * What a class's validators enforce on each property, as OpenAPI keywords. A
 * constraint with `each` applies to an array's items; the document builder
 * moves the value keywords (format, pattern, bounds) into `items` for an array.
 */
export function documentedConstraints(type: Class): Map<string, DocumentedConstraints> {
  const byProperty = new Map<string, DocumentedConstraints>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(type, '', true, false)) {
    const rule =
      metadata.type === ValidationTypes.CUSTOM_VALIDATION && metadata.name ? RULES[metadata.name] : undefined;
    if (!rule) continue;
    const name = metadata.propertyName;
    // Typed any[], undefined for validators without arguments (@IsInt()).
    const derived = rule((metadata.constraints as unknown[] | undefined) ?? [], { type, name });
    if (Object.keys(derived).length === 0) continue;
    // An enum or a type names the items' schema, which stays an array's only with isArray.
    const ofItems = metadata.each && (derived.enum !== undefined || derived.type !== undefined);
    const documented = ofItems ? { ...derived, isArray: true as const } : derived;
    byProperty.set(name, merge(byProperty.get(name) ?? {}, documented, `${type.name}.${name}`));
  }
  return byProperty;
}

/**
 * Gives each class's OpenAPI properties the constraints its validators
 * enforce, so the document types a field as the server checks it: one
 * derivation for every DTO, request or response, body or query. Run before
 * the document is built; running it again changes nothing. It refines the
 * properties the document lists (by decorator or by the swagger plugin) and
 * lists none itself, so they keep the order the class declares them in.
 */
export function documentValidationConstraints(types: Iterable<Class>): void {
  for (const type of types) {
    const prototype = type.prototype as object;
    const listed: unknown = Reflect.getOwnMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, prototype);
    for (const [property, constraints] of documentedConstraints(type)) ApiProperty(constraints)(prototype, property);
    if (listed === undefined) Reflect.deleteMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, prototype);
    else Reflect.defineMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, listed, prototype);
  }
}
