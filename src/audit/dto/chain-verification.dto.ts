import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import type { ChainVerification } from '../audit-chain';
import { IsInt } from 'class-validator';

export class ChainVerificationDto implements ChainVerification {
  /** True when every event of the range links, hashes and matches every signed checkpoint in it. */
  valid!: boolean;

  @IsInt()
  checkedEvents!: number;

  @IsInt()
  checkedCheckpoints!: number;

  @ApiPropertyOptional({ description: 'The first seq that fails, when not valid.' })
  @IsInt()
  firstInvalidSeq?: number;

  @ApiPropertyOptional({ example: 'hash does not match the record' })
  reason?: string;

  @ApiProperty({ type: Number, nullable: true, description: 'Last seq checked.' })
  @IsInt()
  headSeq!: number | null;

  @ApiProperty({ type: String, nullable: true })
  headHash!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Highest seq vouched for by a valid signed checkpoint; events after it are chained, not yet signed.',
  })
  @IsInt()
  lastCheckpointSeq!: number | null;
}
