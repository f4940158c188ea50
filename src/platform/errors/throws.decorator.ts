import { DECORATORS } from '@nestjs/swagger';
import type { DomainErrorClass } from './domain-error';
import { type DocumentedProblem, documentedProblemOf } from './problem';

/** The operation extension that carries an endpoint's problems until the document is built (see problem-document.ts). */
export const PROBLEMS_EXTENSION = 'x-problems';

/**
 * Documents the problems an endpoint can answer: the error classes its
 * handler (or a decorator's guard, pipe or interceptor) throws, or problems
 * the platform answers. Each becomes a schema of its own in the document,
 * listed under its status. Several `@Throws` on one endpoint add up, so
 * composite decorators (`@Authorize`, `@Idempotent`) bring their own.
 */
export function Throws(...problems: (DomainErrorClass | DocumentedProblem)[]): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const extensions = (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler) ?? {}) as Record<string, unknown>;
    const earlier = (extensions[PROBLEMS_EXTENSION] ?? []) as DocumentedProblem[];
    const documented = problems.map((problem) => ('problem' in problem ? documentedProblemOf(problem) : problem));
    Reflect.defineMetadata(
      DECORATORS.API_EXTENSION,
      { ...extensions, [PROBLEMS_EXTENSION]: [...earlier, ...documented] },
      handler,
    );
    return descriptor;
  };
}
