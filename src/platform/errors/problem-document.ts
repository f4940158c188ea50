import {
  getSchemaPath,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { type DocumentedHeader, headerReferences } from '../http/response-headers';
import { type DocumentedProblem, PROBLEM_CONTENT_TYPE, problemType, statusTitle } from './problem';
import { ProblemDetailsDto } from './problem-details.dto';
import { PROBLEMS_EXTENSION } from './throws.decorator';

const PROBLEM_MEDIA_TYPE = PROBLEM_CONTENT_TYPE.split(';')[0];

/** `INSUFFICIENT_STOCK` → `InsufficientStockProblem`: the component schema of that problem type. */
export function problemSchemaName(code: string): string {
  const words = code.toLowerCase().split('_');
  return `${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}Problem`;
}

const schemaReference = (code: string): ReferenceObject => ({
  $ref: `#/components/schemas/${problemSchemaName(code)}`,
});

/**
 * Writes each operation's problems into the document: per status, a
 * problem+json response whose schema is the one of each problem type it can
 * answer (`oneOf` when several), with the headers they carry; and one
 * component schema per problem type. An operation's problems are those its
 * decorators declared (`@Throws`) and those `commonTo` it adds for it.
 */
export function documentProblems(
  document: OpenAPIObject,
  operations: readonly OperationObject[],
  commonTo: (operation: OperationObject) => readonly DocumentedProblem[],
): void {
  const variantsByCode = new Map<string, DocumentedProblem[]>();
  for (const operation of operations) {
    const extended = operation as OperationObject & { [PROBLEMS_EXTENSION]?: DocumentedProblem[] };
    const declared = extended[PROBLEMS_EXTENSION] ?? [];
    delete extended[PROBLEMS_EXTENSION];
    const problems = [...declared, ...commonTo(operation)];
    for (const problem of problems) addVariant(variantsByCode, problem);
    for (const [status, ofStatus] of groupByStatus(problems)) {
      if (operation.responses[status]) throw new Error(`${operation.operationId}: ${status} is documented twice`);
      operation.responses[status] = problemResponse(status, ofStatus);
    }
  }
  const schemas = (document.components ??= {}).schemas ?? {};
  for (const [code, variants] of [...variantsByCode].sort(([a], [b]) => a.localeCompare(b))) {
    schemas[problemSchemaName(code)] = problemSchema(code, variants);
  }
  document.components.schemas = schemas;
}

const sameShape = (a: DocumentedProblem, b: DocumentedProblem): boolean =>
  a.status === b.status && JSON.stringify(a.extensions ?? {}) === JSON.stringify(b.extensions ?? {});

function addVariant(variantsByCode: Map<string, DocumentedProblem[]>, problem: DocumentedProblem): void {
  const variants = variantsByCode.get(problem.code) ?? [];
  if (!variants.some((variant) => sameShape(variant, problem))) variants.push(problem);
  variantsByCode.set(problem.code, variants);
}

function groupByStatus(problems: readonly DocumentedProblem[]): Map<string, DocumentedProblem[]> {
  const byStatus = new Map<string, DocumentedProblem[]>();
  for (const problem of [...problems].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code))) {
    const ofStatus = byStatus.get(String(problem.status)) ?? [];
    if (!ofStatus.some(({ code }) => code === problem.code)) ofStatus.push(problem);
    byStatus.set(String(problem.status), ofStatus);
  }
  return byStatus;
}

function problemResponse(status: string, problems: readonly DocumentedProblem[]): ResponseObject {
  const references = problems.map(({ code }) => schemaReference(code));
  const headers = [...new Set(problems.flatMap((problem) => problem.headers ?? []))] as DocumentedHeader[];
  return {
    description: `${statusTitle(Number(status))}: ${problems.map(({ code }) => problemSlug(code)).join(', ')}.`,
    ...(headers.length > 0 ? { headers: headerReferences(...headers) } : {}),
    content: {
      [PROBLEM_MEDIA_TYPE]: { schema: references.length === 1 ? references[0] : { oneOf: references } },
    },
  };
}

const problemSlug = (code: string): string => problemType(code).slice(problemType(code).lastIndexOf('/') + 1);

/**
 * The schema of one problem type: the members every problem has, `type` and
 * `status` pinned, and its extension members. Classes that share a type but
 * carry different members (a stock adjustment's shortfall, an order's
 * shortages) are its variants, one of which a body matches.
 */
function problemSchema(code: string, variants: readonly DocumentedProblem[]): SchemaObject {
  const statuses = [...new Set(variants.map(({ status }) => status))].sort();
  const shapes = variants.filter(
    (variant, index) =>
      variants.findIndex(
        (other) => JSON.stringify(other.extensions ?? {}) === JSON.stringify(variant.extensions ?? {}),
      ) === index,
  );
  const pinned: SchemaObject = {
    type: 'object',
    required: ['type', 'status'],
    properties: {
      type: { type: 'string', format: 'uri', enum: [problemType(code)] },
      status: { type: 'integer', enum: statuses },
    },
  };
  const members = shapes.map(extensionMembers).filter((schema) => schema !== undefined);
  return {
    description: `Problem \`${problemSlug(code)}\`.`,
    allOf: [
      { $ref: getSchemaPath(ProblemDetailsDto) },
      pinned,
      ...(members.length === 1 ? members : members.length > 1 ? [{ oneOf: members }] : []),
    ],
  };
}

function extensionMembers({ extensions }: DocumentedProblem): SchemaObject | undefined {
  if (!extensions || Object.keys(extensions).length === 0) return undefined;
  return { type: 'object', required: Object.keys(extensions), properties: { ...extensions } };
}
