import { ApiProperty } from '@nestjs/swagger';

export class TokenPairDto {
  /** JWT for `Authorization: Bearer …`; short-lived. */
  accessToken!: string;

  /** Opaque; exchange it once at POST /v1/auth/refresh for the next pair. */
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  /** Seconds until the access token expires. */
  expiresIn!: number;
}
