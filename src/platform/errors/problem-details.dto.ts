import { ApiProperty } from '@nestjs/swagger';
import { IsInt } from 'class-validator';

/**
 * An error response, RFC 9457 `application/problem+json`: the members every
 * problem has. Each problem type's schema adds its own (see problem-document.ts).
 */
export class ProblemDetailsDto {
  @ApiProperty({ format: 'uri', example: 'https://problems.b2b-commerce.example/not-found' })
  type!: string;

  @ApiProperty({ example: 'Not Found' })
  title!: string;

  @ApiProperty({ example: 404 })
  @IsInt()
  status!: number;

  @ApiProperty({ example: 'No route matches GET /v1/nothing-here.' })
  detail!: string;

  @ApiProperty({ format: 'uri-reference', example: '/v1/nothing-here' })
  instance!: string;

  @ApiProperty({ example: '6f1c2b0e-3d4a-4e8b-9c55-1d2e3f4a5b6c' })
  requestId!: string;
}
