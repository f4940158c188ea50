import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AccessDenials } from '../access/access-denials';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { Authorization } from '../access/authorization.service';
import type { Role } from '../access/roles';
import { auditChanges } from '../audit/audit-redaction';
import { AuditRecorder } from '../audit/audit-recorder';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import { whereAnyOf } from '../platform/database/where-any-of';
import { ApiKeyRolesExceedCreatorError, ApiKeyMintedByApiKeyError, ExpiryInThePastError } from './api-keys.errors';
import type { ApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';
import { ApiKey } from './entities/api-key.entity';
import { User } from './entities/user.entity';

/**
 * `bk_<12 lowercase letters/digits>_<43 base64url characters (32 random bytes)>`:
 * the first part is the public prefix shown in lists, the whole is the secret.
 */
const KEY_FORMAT = /^(bk_[a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_ID_LENGTH = 12;

/** `lastUsedAt` is written at most this often per key, so using a key costs no write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

function keyHash(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

function newKey(): { prefix: string; key: string } {
  const id = Array.from({ length: PREFIX_ID_LENGTH }, () => PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)]).join(
    '',
  );
  const prefix = `bk_${id}`;
  return { prefix, key: `${prefix}_${randomBytes(32).toString('base64url')}` };
}

function toDto(key: ApiKey): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    userId: key.userId,
    organizationId: key.organizationId,
    roles: key.roles,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
    createdAt: key.createdAt,
  };
}

/** What the audit trail keeps of a key: everything listed, never the hash. */
function auditedState(key: ApiKey): Omit<ApiKeyDto, 'lastUsedAt'> {
  const { lastUsedAt: _lastUsedAt, ...state } = toDto(key);
  return state;
}

/**
 * API keys for machine clients: each acts for the user who made it with a
 * subset of that user's roles, is shown once and stored as SHA-256. Every
 * write by a key is attributed to it in the audit trail (the event's actor
 * carries `apiKeyId`), in the write's own transaction.
 */
@Injectable()
export class ApiKeysService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeysService.name);
  /** `lastUsedAt` writes in flight, by key id: at most one per key, awaited on shutdown. */
  private readonly touches = new Map<string, Promise<void>>();

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly denials: AccessDenials,
    private readonly audit: AuditRecorder,
  ) {}

  private get keys() {
    return this.txHost.tx.getRepository(ApiKey);
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<ApiKeyDto>> {
    const query = this.keys.createQueryBuilder('apiKey');
    whereAnyOf(query, this.authorization.visibleWhere<ApiKey>(actor, 'read', 'ApiKey') ?? []);
    return mapPage(await findPage(query, page), toDto);
  }

  /**
   * Throws 403 when the caller is itself an API key (a key never mints keys:
   * that would outlive its expiry and revocation) or asks for roles it does
   * not hold; 400 for an expiry in the past.
   */
  @Transactional()
  async create(actor: Actor, input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    if (actor.type === 'api_key') throw this.denied(actor, new ApiKeyMintedByApiKeyError());
    const excess = input.roles.filter((role) => !actor.roles.includes(role));
    if (excess.length > 0) throw this.denied(actor, new ApiKeyRolesExceedCreatorError(excess));
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new ExpiryInThePastError();
    const owner = { userId: actor.userId, organizationId: actor.organizationId };
    this.authorization.ensurePermitted(actor, 'create', 'ApiKey', owner);

    const { prefix, key } = newKey();
    const apiKey = await this.keys.save(
      this.keys.create({
        ...owner,
        name: input.name,
        prefix,
        secretHash: keyHash(key).toString('hex'),
        roles: input.roles,
        expiresAt: input.expiresAt ?? null,
      }),
    );
    await this.audit.record({
      actor,
      action: 'api_key.created',
      resource: { type: 'ApiKey', id: apiKey.id },
      changes: auditChanges(null, auditedState(apiKey)),
    });
    this.logger.log({ event: 'api_key.created', apiKeyId: apiKey.id, prefix, userId: actor.userId }, 'API key created');
    return { ...toDto(apiKey), key };
  }

  /**
   * Revokes the key: it stops working at once. 404 when not visible, and when
   * already revoked: there is no live key of that id left to revoke.
   */
  @Transactional()
  async revoke(actor: Actor, id: string): Promise<void> {
    const apiKey = await this.keys.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!apiKey) throw new ResourceNotFoundError('ApiKey');
    this.authorization.ensure(actor, 'archive', 'ApiKey', apiKey);
    if (apiKey.revokedAt) throw new ResourceNotFoundError('ApiKey');
    const before = auditedState(apiKey);
    apiKey.revokedAt = new Date();
    await this.keys.save(apiKey);
    await this.audit.record({
      actor,
      action: 'api_key.revoked',
      resource: { type: 'ApiKey', id },
      changes: auditChanges(before, auditedState(apiKey)),
    });
    this.logger.log({ event: 'api_key.revoked', apiKeyId: id, prefix: apiKey.prefix }, 'API key revoked');
  }

  /**
   * The actor an `X-API-Key` stands for, or null: unknown, malformed, revoked
   * or expired keys, keys of a disabled user, and keys whose roles the user no
   * longer holds all fail alike. The actor's roles are the key's roles that
   * its user still holds. Called by the authentication guard, outside any
   * transaction.
   */
  async authenticate(rawKey: string): Promise<Actor | null> {
    const format = KEY_FORMAT.exec(rawKey);
    if (!format) return null;
    const apiKey = await this.keys.findOne({
      where: { prefix: format[1] },
      relations: { user: true },
      select: {
        id: true,
        userId: true,
        secretHash: true,
        roles: true,
        expiresAt: true,
        revokedAt: true,
        lastUsedAt: true,
        user: { id: true, roles: true, organizationId: true, disabledAt: true },
      },
    });
    const presented = keyHash(rawKey);
    if (!apiKey?.user || !timingSafeEqual(Buffer.from(apiKey.secretHash, 'hex'), presented)) return null;
    if (apiKey.revokedAt || (apiKey.expiresAt && apiKey.expiresAt.getTime() <= Date.now())) return null;
    const user: Pick<User, 'roles' | 'organizationId' | 'disabledAt'> = apiKey.user;
    if (user.disabledAt) return null;
    const roles: Role[] = apiKey.roles.filter((role) => user.roles.includes(role));
    if (roles.length === 0) return null;
    this.touch(apiKey);
    return { type: 'api_key', userId: apiKey.userId, organizationId: user.organizationId, roles, apiKeyId: apiKey.id };
  }

  private denied<E extends ApiKeyMintedByApiKeyError | ApiKeyRolesExceedCreatorError>(actor: Actor, error: E): E {
    this.denials.record({ principal: actor, status: 403, action: 'create', subjectType: 'ApiKey', reason: error.code });
    return error;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.touches.values());
  }

  /**
   * Records the use when the stored `lastUsedAt` is older than the resolution,
   * without making the request wait. The UPDATE is conditional, so concurrent
   * requests and replicas write it once. Never from inside a transaction: it
   * runs on its own connection, which on the embedded database would wait for
   * that transaction to end.
   */
  private touch(apiKey: ApiKey): void {
    const fresh = apiKey.lastUsedAt && Date.now() - apiKey.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS;
    if (fresh || this.touches.has(apiKey.id) || this.txHost.isTransactionActive()) return;
    const write = this.keys
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: () => 'now()' })
      .where('id = :id AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => :seconds))', {
        id: apiKey.id,
        seconds: LAST_USED_RESOLUTION_MS / 1000,
      })
      .execute()
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({ event: 'api_key.touch_failed', apiKeyId: apiKey.id, err: error }),
      )
      .finally(() => this.touches.delete(apiKey.id));
    this.touches.set(apiKey.id, write);
  }
}
