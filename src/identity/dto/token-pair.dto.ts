import { ApiProperty } from '@nestjs/swagger';
import { IsInt } from 'class-validator';

export class TokenPairDto {
  /** JWT for `Authorization: Bearer …`; short-lived. */
  accessToken!: string;

  /** Opaque; exchange it once at POST /v1/auth/refresh for the next pair. */
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  /** Seconds until the access token expires. */
  @IsInt()
  expiresIn!: number;
}
