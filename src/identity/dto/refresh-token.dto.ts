import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** The body of refresh and logout. */
export class RefreshTokenDto {
  /** The refresh token of the last pair; each one works once. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  refreshToken!: string;
}
