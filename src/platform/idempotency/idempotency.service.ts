import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Environment } from '../config/environment';
import { IdempotencyKey } from './idempotency-key.entity';
import { IdempotencyKeyReusedError, IdempotentRequestInFlightError } from './idempotency.errors';

export interface IdempotentRequest {
  scope: string;
  key: string;
  /** What makes two requests the same: method, route, path parameters, body. */
  parts: unknown[];
}

export interface IdempotentResponse {
  status: number;
  /** The handler's value on a first execution; on a replay, the body first sent, parsed again. */
  body: unknown;
  replayed: boolean;
}

/** A key someone else holds, with its age and what is left of its lease as the database's clock tells. */
interface ExistingKey extends Pick<IdempotencyKey, 'fingerprint' | 'state' | 'responseStatus' | 'responseBody'> {
  runningSeconds: number;
  leaseSeconds: number;
}

interface Claim {
  scope: string;
  key: string;
  attempt: number;
}

/**
 * SHA-256 of the parts' canonical JSON (RFC 8785: members sorted, no
 * whitespace), except that a lone surrogate is escaped as JSON.stringify
 * escapes it (`"\ud800"`) where RFC 8785 refuses it: a body holding one is
 * for validation to refuse (400), it must not break the fingerprint (500).
 * For well-formed text the two agree, so stored fingerprints stay valid.
 */
export function fingerprintOf(parts: unknown[]): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/** Parsed JSON only (the request's body and parameters), nested no deeper than the body parser allows. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => (isDropped(item) ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort()
      .filter((key) => !isDropped(object[key]))
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
    return `{${members.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`${value} is not JSON`);
  return JSON.stringify(value) ?? '';
}

/** What JSON leaves out of an object (and writes as null in an array). */
function isDropped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * Runs an operation at most once per caller and key. The key is claimed in
 * its own short transaction, so a duplicate arriving meanwhile sees it (409);
 * the operation's transaction then also completes the claim with the
 * response, so a retry replays exactly what committed. A failure releases
 * the key for a retry; a claim left by a crashed process is taken over once
 * its lease ends, and its fencing `attempt` keeps the late one from completing.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly environment: Environment,
  ) {}

  async run(
    request: IdempotentRequest,
    status: number,
    operation: () => Promise<unknown>,
  ): Promise<IdempotentResponse> {
    const fingerprint = fingerprintOf(request.parts);
    const claim = await this.claim(request, fingerprint);
    if ('replay' in claim) return claim.replay;
    try {
      const body = await this.txHost.withTransaction(async () => {
        const result = await operation();
        await this.complete(claim, status, JSON.stringify(result));
        return result;
      });
      return { status, body, replayed: false };
    } catch (error) {
      await this.release(claim);
      throw error;
    }
  }

  /** Removes keys past their retention; returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.keys.createQueryBuilder().delete().where('expires_at < now()').execute();
    return result.affected ?? 0;
  }

  private get keys() {
    return this.txHost.tx.getRepository(IdempotencyKey);
  }

  private async claim(
    request: IdempotentRequest,
    fingerprint: string,
  ): Promise<Claim | { replay: IdempotentResponse }> {
    const { IDEMPOTENCY_LEASE_MS: lease, IDEMPOTENCY_RETENTION_MS: retention } = this.environment;
    // A new key, an expired one, or an in-flight claim whose lease ran out on the same request: ours.
    const [claimed] = await this.txHost.tx.query<{ attempt: number }[]>(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, attempt, lease_until, expires_at)
       VALUES ($1, $2, $3, 'in_flight', 1, now() + $4 * interval '1 millisecond', now() + $5 * interval '1 millisecond')
       ON CONFLICT (scope, key) DO UPDATE SET
         fingerprint = EXCLUDED.fingerprint, state = 'in_flight', attempt = idempotency_keys.attempt + 1,
         lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at, created_at = now(),
         response_status = NULL, response_body = NULL
       WHERE idempotency_keys.expires_at < now()
          OR (idempotency_keys.state = 'in_flight' AND idempotency_keys.lease_until < now()
              AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)
       RETURNING attempt`,
      [request.scope, request.key, fingerprint, lease, retention],
    );
    if (claimed) return { scope: request.scope, key: request.key, attempt: claimed.attempt };

    const [existing] = await this.txHost.tx.query<ExistingKey[]>(
      `SELECT fingerprint, state, response_status AS "responseStatus", response_body AS "responseBody",
              extract(epoch FROM now() - created_at)::float8 AS "runningSeconds",
              extract(epoch FROM lease_until - now())::float8 AS "leaseSeconds"
       FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [request.scope, request.key],
    );
    // Released between our insert and this read: the caller may simply retry.
    if (!existing) throw new IdempotentRequestInFlightError();
    if (existing.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    if (existing.state === 'in_flight') {
      throw IdempotentRequestInFlightError.waitFor(existing.runningSeconds, existing.leaseSeconds);
    }
    // JSON text parsed and serialised again is the same text: the replay is the first answer, byte for byte.
    const body: unknown = existing.responseBody === null ? null : JSON.parse(existing.responseBody);
    return { replay: { status: existing.responseStatus ?? 200, body, replayed: true } };
  }

  private async complete(claim: Claim, status: number, body: string): Promise<void> {
    const [, completed] = await this.txHost.tx.query<[unknown, number]>(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_body = $5
       WHERE scope = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'`,
      [claim.scope, claim.key, claim.attempt, status, body],
    );
    // Our lease ran out and a retry took the key over: its result stands, ours rolls back.
    if (completed !== 1) throw new IdempotentRequestInFlightError();
  }

  private async release(claim: Claim): Promise<void> {
    await this.txHost.tx.query(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND attempt = $3 AND state = 'in_flight'`,
      [claim.scope, claim.key, claim.attempt],
    );
  }
}
