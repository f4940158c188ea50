import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  /** Path of the offending input field, dotted for nested fields (`items.0.quantity`). */
  field!: string;

  message!: string;
}

/** An error response, RFC 9457 `application/problem+json`. */
export class ProblemDetailsDto {
  @ApiProperty({ format: 'uri', example: 'https://problems.b2b-commerce.example/not-found' })
  type!: string;

  @ApiProperty({ example: 'Not Found' })
  title!: string;

  @ApiProperty({ example: 404 })
  status!: number;

  @ApiProperty({ example: 'No route matches GET /v1/nothing-here.' })
  detail!: string;

  @ApiProperty({ format: 'uri-reference', example: '/v1/nothing-here' })
  instance!: string;

  @ApiProperty({ example: '6f1c2b0e-3d4a-4e8b-9c55-1d2e3f4a5b6c' })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'One entry per invalid field, on validation failures.' })
  errors?: FieldErrorDto[];
}
