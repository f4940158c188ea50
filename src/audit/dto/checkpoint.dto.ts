import { ApiProperty } from '@nestjs/swagger';
import type { SignedCheckpoint } from '../audit-chain';
import { PageOf } from '../../platform/http/page.dto';
import { IsInt } from 'class-validator';

/** The chain's head at one moment, signed: verify with the key of `GET /v1/audit/public-key`. */
export class CheckpointDto implements SignedCheckpoint {
  @IsInt()
  seq!: number;

  /** The `hash` of the event at `seq`. */
  hash!: string;

  @ApiProperty({ format: 'date-time' })
  signedAt!: string;

  keyId!: string;

  /** Ed25519 signature (base64) of the RFC 8785 canonical JSON of `{ seq, hash, signedAt, keyId }`. */
  signature!: string;
}

/** The NDJSON export's line for a signed checkpoint, right after the event at its `seq`. */
export class AuditExportCheckpointLineDto {
  checkpoint!: CheckpointDto;
}

export class CheckpointPageDto extends PageOf(CheckpointDto) {}

export class PublicKeyDto {
  @ApiProperty({ example: 'Ed25519' })
  algorithm!: string;

  /** Names the key in checkpoints: first 16 hex characters of SHA-256 of its SPKI DER. */
  keyId!: string;

  /** SPKI PEM; save it to a file for `npm run audit:verify`. */
  publicKeyPem!: string;
}
