/**
 * Depends on a private shape of class-validator 0.15: its global
 * MetadataStorage keeps every decorated class as a key of the Map
 * `validationMetadatas`. The public API answers only for a class one already
 * has (`getTargetValidationMetadatas`); the OpenAPI document needs them all, to
 * derive the documented types from what the validators enforce.
 * `validatedClasses` checks the shape and throws when an upgrade has changed it.
 */
import { types } from 'node:util';
import { getMetadataStorage } from 'class-validator';

const METADATA_PROPERTY = 'validationMetadatas';

export type Class = abstract new (...args: never[]) => unknown;

// The storage's keys are the classes decorators were applied to (or a schema's name, a string).
const isClass = (target: unknown): target is Class => typeof target === 'function';

function validationMetadatas(): Map<unknown, unknown> {
  const metadatas: unknown = (getMetadataStorage() as unknown as Record<string, unknown>)[METADATA_PROPERTY];
  // Not `instanceof Map`: under Jest the storage may come from another realm (the global the first import made it in).
  if (!types.isMap(metadatas)) {
    throw new Error(
      `class-validator's MetadataStorage no longer keeps its metadata in a Map named ${METADATA_PROPERTY}. ` +
        'Revisit src/platform/library-internals/class-validator.ts.',
    );
  }
  return metadatas;
}

/** Every class that carries a class-validator decorator, as far as it has been imported. */
export function validatedClasses(): Class[] {
  return [...validationMetadatas().keys()].filter(isClass);
}

/**
 * Takes classes out of the process-wide storage. For tests that decorate
 * classes the document must refuse: the storage outlives a test file, and a
 * later file's app in the same Jest worker would document them.
 */
export function forgetValidatedClasses(...classes: Class[]): void {
  const metadatas = validationMetadatas();
  for (const type of classes) metadatas.delete(type);
}
