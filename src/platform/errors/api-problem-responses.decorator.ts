import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, statusTitle } from './problem';
import { ProblemDetailsDto } from './problem-details.dto';

const problemContent = () => ({
  [PROBLEM_CONTENT_TYPE.split(';')[0]]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
});

/** Documents the error statuses an endpoint can answer, each as problem+json. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) => ApiResponse({ status, description: statusTitle(status), content: problemContent() })),
  );
}

/** The catch-all `default` response every operation gets in the served document. */
export function defaultProblemResponse() {
  return { description: 'Any other error, as problem+json.', content: problemContent() };
}
