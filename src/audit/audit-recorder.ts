/**
 * The recording API every module calls (keep it small and stable):
 *
 *   constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>, private readonly audit: AuditRecorder) {}
 *
 *   @Transactional()
 *   async updateUser(actor: Actor, id: string, dto: UpdateUserDto): Promise<User> {
 *     const users = this.txHost.tx.getRepository(User);
 *     const before = { ...(await users.findOneByOrFail({ id })) };
 *     const after = await users.save({ ...before, ...dto });
 *     await this.audit.record({
 *       actor,                                    // Principal (null: anonymous) or SYSTEM_ACTOR
 *       action: 'user.updated',                   // '<resource>.<what happened>', lower case
 *       resource: { type: 'User', id },
 *       changes: auditChanges(before, after),     // optional; secrets redacted, `sensitive` fields masked
 *       // outcome: 'success' (default) | 'denied' | 'failure'; details: { reason: ... } (redacted too)
 *     });
 *     return after;
 *   }
 *
 * - `record` writes inside the caller's current transaction (`@Transactional()`), so the state
 *   change and its event commit together or not at all; it throws when no transaction is active.
 * - `recordStandalone` is for what must stay on record although the business transaction rolls
 *   back (denials, failed logins): its own transaction, written at once when none is active, else
 *   as soon as the request's handler has finished (after that transaction ended).
 * - `requestId`, `ip` and `userAgent` come from the request context; `occurredAt` is now.
 */
import { Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Principal } from '../access/actor';
import { REQUEST_CONTEXT, type RequestContext } from '../platform/context/request-context';
import { type AuditChanges, AuditEvent, type AuditOutcome } from './audit-event.entity';
import { redact } from './audit-redaction';

/** The actor of what the service does on its own (bootstrap, scheduled work). */
export const SYSTEM_ACTOR = 'system';
export type AuditActor = Principal | typeof SYSTEM_ACTOR;

export interface AuditEntry {
  actor: AuditActor;
  /** `<resource>.<what happened>`: `user.created`, `auth.login_failed`, `access.denied`. */
  action: string;
  resource: { type: string; id?: string | null };
  outcome?: AuditOutcome;
  changes?: AuditChanges | null;
  details?: Record<string, unknown> | null;
}

type AuditEventRow = Omit<AuditEvent, 'id' | 'txId'>;

/** CLS key of the standalone events waiting for the request's transaction to end. */
const DEFERRED_EVENTS = 'audit:deferredEvents';
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

@Injectable()
export class AuditRecorder {
  private readonly logger = new Logger(AuditRecorder.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly cls: ClsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Records `entry` in the caller's transaction: it commits or rolls back with the change. */
  async record(entry: AuditEntry): Promise<void> {
    if (!this.txHost.isTransactionActive()) {
      throw new Error(
        `AuditRecorder.record(${entry.action}) needs the caller's transaction: call it from a @Transactional() method, or use recordStandalone`,
      );
    }
    await this.txHost.tx.getRepository(AuditEvent).insert(insertable(this.toRow(entry)));
  }

  /** Records `entry` whatever becomes of the caller's transaction. */
  async recordStandalone(entry: AuditEntry): Promise<void> {
    const row = this.toRow(entry);
    if (!this.txHost.isTransactionActive()) {
      // A single INSERT on its own connection: its own transaction.
      await this.dataSource.getRepository(AuditEvent).insert(insertable(row));
      return;
    }
    // Another connection now would wait for the caller's transaction (forever on the
    // embedded database, and it takes a second pool connection on a real one): defer.
    const deferred = this.cls.isActive() ? this.cls.get<AuditEventRow[] | undefined>(DEFERRED_EVENTS) : undefined;
    if (!deferred) {
      throw new Error(
        `AuditRecorder.recordStandalone(${entry.action}) inside a transaction outside a request: record it after the transaction`,
      );
    }
    deferred.push(row);
  }

  /** Opens the request's queue of deferred standalone events (see audit-scope.ts); outside a request context, none. */
  openRequestScope(): void {
    if (this.cls.isActive()) this.cls.set(DEFERRED_EVENTS, []);
  }

  /** Whether standalone events wait for `flushRequestScope`. */
  hasDeferredEvents(): boolean {
    return this.cls.isActive() && (this.cls.get<AuditEventRow[] | undefined>(DEFERRED_EVENTS)?.length ?? 0) > 0;
  }

  /** Writes the deferred standalone events, once the request's transaction has ended. */
  async flushRequestScope(): Promise<void> {
    if (!this.cls.isActive()) return;
    const deferred = this.cls.get<AuditEventRow[] | undefined>(DEFERRED_EVENTS);
    if (!deferred || deferred.length === 0) return;
    const rows = deferred.splice(0);
    try {
      await this.dataSource.getRepository(AuditEvent).insert(rows.map(insertable));
    } catch (error) {
      this.logger.error({ event: 'audit.deferred_write_failed', count: rows.length, err: error });
      throw error;
    }
  }

  private toRow(entry: AuditEntry): AuditEventRow {
    if (!ACTION.test(entry.action)) throw new Error(`Audit action '${entry.action}' is not '<resource>.<verb>'`);
    if (!entry.resource.type) throw new Error(`Audit action '${entry.action}' names no resource type`);
    const context = this.cls.isActive() ? this.cls.get<RequestContext | undefined>(REQUEST_CONTEXT) : undefined;
    return {
      occurredAt: new Date(),
      ...actorColumns(entry.actor),
      action: entry.action,
      resourceType: entry.resource.type,
      resourceId: entry.resource.id?.toWellFormed() ?? null,
      outcome: entry.outcome ?? 'success',
      requestId: context?.requestId ?? null,
      ip: context?.ip ?? null,
      userAgent: context?.userAgent ?? null,
      changes: entry.changes ? (redact(entry.changes) as AuditChanges) : null,
      details: entry.details ? (redact(entry.details) as Record<string, unknown>) : null,
    };
  }
}

/** TypeORM's deep-partial insert type cannot express jsonb values typed `unknown`; the row is complete. */
function insertable(row: AuditEventRow): QueryDeepPartialEntity<AuditEvent> {
  return row as QueryDeepPartialEntity<AuditEvent>;
}

function actorColumns(
  actor: AuditActor,
): Pick<AuditEvent, 'actorType' | 'actorId' | 'actorOrganizationId' | 'actorApiKeyId'> {
  if (actor === SYSTEM_ACTOR)
    return { actorType: 'system', actorId: null, actorOrganizationId: null, actorApiKeyId: null };
  if (actor === null) return { actorType: 'anonymous', actorId: null, actorOrganizationId: null, actorApiKeyId: null };
  return {
    actorType: actor.type,
    actorId: actor.userId,
    actorOrganizationId: actor.organizationId,
    actorApiKeyId: actor.apiKeyId ?? null,
  };
}
