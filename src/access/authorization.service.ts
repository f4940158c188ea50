import { subject } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import type { FindOptionsWhere, Repository } from 'typeorm';
import { AccessDenials } from './access-denials';
import { AccessDeniedError, ResourceNotFoundError } from './access.errors';
import type { Principal } from './actor';
import { type Action, abilityFor, type SubjectType } from './policy';

type Scalar = string | number | boolean | null;

/**
 * Object-level checks and list scoping, both from the one policy, so a list
 * never shows what a GET of one item would hide.
 */
@Injectable()
export class Authorization {
  constructor(private readonly denials: AccessDenials) {}

  /**
   * The row `id` of `subjectType` locked for update (FOR UPDATE, in the
   * caller's transaction), once `principal` may do each of `actions` on it:
   * 404 when it does not exist or is not theirs to act on.
   */
  async lockedFor<T extends { id: string }>(
    repository: Repository<T>,
    id: string,
    principal: Principal,
    subjectType: SubjectType,
    ...actions: Action[]
  ): Promise<T> {
    const row = await repository.findOne({ where: { id } as FindOptionsWhere<T>, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new ResourceNotFoundError(subjectType);
    for (const action of actions) this.ensure(principal, action, subjectType, row);
    return row;
  }

  /**
   * Throws 404 unless `principal` may `action` this loaded object: what a
   * caller may not see does not exist for them (never 403, which would confirm it).
   */
  ensure(principal: Principal, action: Action, subjectType: SubjectType, object: { id: string }): void {
    const fields = { ...object } as Record<PropertyKey, unknown>;
    if (abilityFor(principal).can(action, subject(subjectType, fields))) return;
    this.denials.record({
      principal,
      status: 404,
      action,
      subjectType,
      resourceId: object.id,
      reason: 'object not visible to the caller',
    });
    throw new ResourceNotFoundError(subjectType);
  }

  /**
   * Throws 403 unless `principal` may `action` an object like `object` — for
   * objects the caller is about to create or reshape (a user in some
   * organization), whose existence a 403 reveals nothing about.
   */
  ensurePermitted(principal: Principal, action: Action, subjectType: SubjectType, object: object): void {
    const fields = { ...object } as Record<PropertyKey, unknown>;
    if (abilityFor(principal).can(action, subject(subjectType, fields))) return;
    this.denials.record({ principal, status: 403, action, subjectType, reason: 'role not permitted on this object' });
    throw new AccessDeniedError();
  }

  /**
   * TypeORM `where` alternatives (OR-ed) matching exactly the objects of
   * `subjectType` that `principal` may `action`; `[{}]` when all, null when none.
   * Merge a caller's own filters into each alternative.
   */
  visibleWhere<T>(principal: Principal, action: Action, subjectType: SubjectType): FindOptionsWhere<T>[] | null {
    const rules = abilityFor(principal).rulesFor(action, subjectType);
    if (rules.length === 0) return null;
    const alternatives: FindOptionsWhere<T>[] = [];
    for (const rule of rules) {
      if (rule.inverted) throw new Error(`'cannot' rules are not supported in list scoping (${action} ${subjectType})`);
      if (!rule.conditions) return [{}];
      alternatives.push(equalityConditions(rule.conditions) as FindOptionsWhere<T>);
    }
    return alternatives;
  }
}

/** The policy's conditions are field equalities; anything richer must be mapped here first. */
function equalityConditions(conditions: object): Record<string, Scalar> {
  for (const [field, value] of Object.entries(conditions)) {
    if (value !== null && typeof value === 'object') {
      throw new Error(`Unsupported condition on '${field}' in list scoping: only equality is mapped`);
    }
  }
  return conditions as Record<string, Scalar>;
}
