import { subject } from '@casl/ability';
import type { AccessDenials } from './access-denials';
import { ResourceNotFoundError } from './access.errors';
import type { Actor, Principal } from './actor';
import { Authorization } from './authorization.service';
import { type Action, abilityFor, type SubjectType } from './policy';
import { isStaffRole, ROLES, type Role } from './roles';

/**
 * The role matrix of docs/api-guide.md ("Roles"), row by row, as written there. A change to the policy
 * that the matrix does not show, or to the matrix that the policy does not
 * follow, fails here.
 *
 *   all            every object
 *   own org        objects of the caller's organization
 *   placed by self objects of the caller's organization the caller placed ("own orders")
 *   own            objects that are the caller's own (their API keys)
 *   own org's      objects of anyone in the caller's organization
 *   read           every object, read only (the other actions of the row are refused)
 *   read own       the caller's own organization, read only
 *   -              nothing
 */
type Scope = 'all' | 'own org' | 'placed by self' | 'own' | "own org's" | 'read' | 'read own' | '-';
type Caller = Role | 'anonymous';

interface MatrixRow {
  row: string;
  /** What the row covers: an action on a subject, with the fields the sample objects need beyond ownership. */
  checks: { action: Action; subject: SubjectType; fields?: Record<string, unknown> }[];
  scopes: Record<Caller, Scope>;
}

const row = (
  name: string,
  checks: MatrixRow['checks'],
  [admin, catalog_manager, fulfillment, finance, auditor, org_admin, buyer, anonymous = '-']: Scope[],
): MatrixRow => ({
  row: name,
  checks,
  scopes: { admin, catalog_manager, fulfillment, finance, auditor, org_admin, buyer, anonymous },
});

const ACTIVE = { active: true };
const INACTIVE = { active: false };

// prettier-ignore
//                                                                               admin     catalog_m  fulfillm.  finance    auditor    org_admin     buyer             anonymous
const MATRIX: MatrixRow[] = [
  row('read active products, categories', [{ action: 'read', subject: 'Product', fields: ACTIVE }, { action: 'read', subject: 'Category' }],
                                                                                ['all',    'all',     'all',     'all',     'all',     'all',        'all',            'all']),
  row('read inactive products', [{ action: 'read', subject: 'Product', fields: INACTIVE }],
                                                                                ['all',    'all',     'all',     '-',       'all',     '-',          '-']),
  row('create/edit/archive products, categories', (['Product', 'Category'] as const).flatMap((subject) =>
    (['create', 'update', 'archive'] as const).map((action) => ({ action, subject }))),
                                                                                ['all',    'all',     '-',       '-',       '-',       '-',          '-']),
  row('adjust stock', [{ action: 'adjust', subject: 'Stock' }],                 ['all',    'all',     'all',     '-',       '-',       '-',          '-']),
  // Beyond the guide's matrix: stock movements, readable by the staff who read archived products.
  row('read stock movements', [{ action: 'read', subject: 'Stock' }],           ['all',    'all',     'all',     '-',       'all',     '-',          '-']),
  row('place order', [{ action: 'place', subject: 'Order' }],                   ['-',      '-',       '-',       '-',       '-',       'own org',    'own org']),
  row('read orders', [{ action: 'read', subject: 'Order' }],                    ['all',    '-',       'all',     'all',     'all',     'own org',    'placed by self']),
  row('cancel order', [{ action: 'cancel', subject: 'Order' }],                 ['all',    '-',       'all',     '-',       '-',       'own org',    'placed by self']),
  row('fulfil order', [{ action: 'fulfil', subject: 'Order' }],                 ['all',    '-',       'all',     '-',       '-',       '-',          '-']),
  row('read invoices, payments', [{ action: 'read', subject: 'Invoice' }, { action: 'read', subject: 'Payment' }],
                                                                                ['all',    '-',       '-',       'all',     'all',     'own org',    'placed by self']),
  row('pay invoice', [{ action: 'pay', subject: 'Invoice' }],                   ['-',      '-',       '-',       '-',       '-',       'own org',    'placed by self']),
  row('refund payment', [{ action: 'refund', subject: 'Payment' }],             ['all',    '-',       '-',       'all',     '-',       '-',          '-']),
  row('read, verify, export audit trail', (['read', 'verify', 'export'] as const).map((action) => ({ action, subject: 'AuditEvent' as const })),
                                                                                ['all',    '-',       '-',       '-',       'all',     '-',          '-']),
  row('manage users', (['read', 'create', 'update'] as const).map((action) => ({ action, subject: 'User' as const })),
                                                                                ['all',    '-',       '-',       '-',       'read',    'own org',    '-']),
  row('manage organizations', (['read', 'create', 'update'] as const).map((action) => ({ action, subject: 'Organization' as const })),
                                                                                ['all',    '-',       '-',       '-',       'read',    'read own',   'read own']),
  row('manage API keys', (['read', 'create', 'archive'] as const).map((action) => ({ action, subject: 'ApiKey' as const })),
                                                                                ['own',    'own',     'own',     'own',     'own',     "own org's",  'own']),
];

/** Whose an object is, seen from the caller. */
type Relation = 'self' | 'colleague' | 'stranger';
const RELATIONS: Relation[] = ['self', 'colleague', 'stranger'];

const CALLER_ID = '00000000-0000-4000-8000-000000000001';
const COLLEAGUE_ID = '00000000-0000-4000-8000-000000000002';
const STRANGER_ID = '00000000-0000-4000-8000-000000000003';
const CALLER_ORG = '00000000-0000-4000-8000-0000000000a1';
const OTHER_ORG = '00000000-0000-4000-8000-0000000000a2';

function principalOf(caller: Caller): Principal {
  if (caller === 'anonymous') return null;
  return { type: 'user', userId: CALLER_ID, organizationId: isStaffRole(caller) ? null : CALLER_ORG, roles: [caller] };
}

/** A sample object of `subjectType` standing in `relation` to `principal`, with each field a rule may test. */
function sample(
  subjectType: SubjectType,
  relation: Relation,
  principal: Principal,
  fields: Record<string, unknown> = {},
) {
  const userId = { self: CALLER_ID, colleague: COLLEAGUE_ID, stranger: STRANGER_ID }[relation];
  const organizationId = relation === 'stranger' ? OTHER_ORG : (principal?.organizationId ?? null);
  const id = subjectType === 'Organization' ? (organizationId ?? OTHER_ORG) : `${relation}-${subjectType}`;
  return { id, organizationId, userId, placedById: userId, active: true, ...fields };
}

/** What a scope lets the caller do to an object in `relation` to them, for `action`. */
function expectedFor(scope: Scope, action: Action, relation: Relation, caller: Caller): boolean {
  switch (scope) {
    case 'all':
      return true;
    case 'read':
      return action === 'read';
    case 'read own':
      return action === 'read' && relation !== 'stranger';
    case 'own org':
    case "own org's":
      // Staff belong to no organization, so "own org" never applies to them.
      return relation !== 'stranger' && caller !== 'anonymous' && !isStaffRole(caller);
    case 'placed by self':
    case 'own':
      return relation === 'self';
    case '-':
      return false;
  }
}

const CALLERS: Caller[] = [...ROLES, 'anonymous'];

/** An object CASL checks as `subjectType`, as Authorization does with a loaded entity. */
function tagged(subjectType: SubjectType, fields: object) {
  const object: Record<PropertyKey, unknown> = { ...fields };
  return subject(subjectType, object);
}

describe('the access policy against the API guide’s role matrix', () => {
  describe.each(MATRIX)('$row', ({ checks, scopes }) => {
    const cases = CALLERS.flatMap((caller) =>
      checks.flatMap((check) => RELATIONS.map((relation) => ({ caller, relation, ...check, scope: scopes[caller] }))),
    );
    it.each(cases)(
      '$caller may $action $subject of $relation as "$scope"',
      ({ caller, relation, action, subject: subjectType, fields, scope }) => {
        const principal = principalOf(caller);
        const object = tagged(subjectType, sample(subjectType, relation, principal, fields));
        expect(abilityFor(principal).can(action, object)).toBe(expectedFor(scope, action, relation, caller));
      },
    );

    it.each(CALLERS)('gates %s at the route exactly when the row grants something', (caller) => {
      for (const { action, subject: subjectType } of checks) {
        const grantsSome = RELATIONS.some((relation) => expectedFor(scopes[caller], action, relation, caller));
        // Products are one subject type for both product rows; the route gate sees the union.
        if (subjectType === 'Product') continue;
        expect([caller, action, subjectType, abilityFor(principalOf(caller)).can(action, subjectType)]).toEqual([
          caller,
          action,
          subjectType,
          grantsSome,
        ]);
      }
    });
  });

  it.each(CALLERS)('grants %s nothing the matrix does not list', (caller) => {
    const listed = new Set(MATRIX.flatMap(({ checks }) => checks.map(({ action, subject }) => `${action} ${subject}`)));
    const granted = abilityFor(principalOf(caller)).rules.flatMap((rule) =>
      [rule.action].flat().flatMap((action) => [rule.subject].flat().map((subject) => `${action} ${String(subject)}`)),
    );
    expect(granted.filter((grant) => !listed.has(grant))).toEqual([]);
    expect(abilityFor(principalOf(caller)).rules.every((rule) => !rule.inverted)).toBe(true);
  });

  it('gives a user with several roles the union of them', () => {
    const both: Actor = { type: 'user', userId: CALLER_ID, organizationId: CALLER_ORG, roles: ['org_admin', 'buyer'] };
    const order = (fields: object) => tagged('Order', fields);
    expect(abilityFor(both).can('read', order({ organizationId: CALLER_ORG, placedById: COLLEAGUE_ID }))).toBe(true);
    expect(abilityFor(both).can('read', order({ organizationId: OTHER_ORG, placedById: CALLER_ID }))).toBe(false);
  });
});

/**
 * A list shows exactly what a GET of one item would: for every role, action
 * and subject the policy knows, an object passes `ensure` if and only if it
 * matches one of the `visibleWhere` alternatives.
 */
describe('list scoping agrees with the single-object check', () => {
  const authorization = new Authorization({ record: () => undefined } as unknown as AccessDenials);
  const ACTIONS = [...new Set(MATRIX.flatMap(({ checks }) => checks.map(({ action }) => action)))];
  const SUBJECTS = [...new Set(MATRIX.flatMap(({ checks }) => checks.map(({ subject }) => subject)))];
  const FIELD_VARIANTS = [{}, { active: false }];

  /** `visibleWhere`'s alternatives evaluated in memory, as the database would. */
  function matchesWhere(where: Record<string, unknown>[] | null, object: Record<string, unknown>): boolean {
    return (where ?? []).some((alternative) =>
      Object.entries(alternative).every(([field, value]) => object[field] === value),
    );
  }

  function visibleByEnsure(principal: Principal, action: Action, subjectType: SubjectType, object: { id: string }) {
    try {
      authorization.ensure(principal, action, subjectType, object);
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundError) return false;
      throw error;
    }
  }

  const cases = CALLERS.flatMap((caller) =>
    ACTIONS.flatMap((action) => SUBJECTS.map((subjectType) => ({ caller, action, subjectType }))),
  );
  it.each(cases)('$caller, $action $subjectType', ({ caller, action, subjectType }) => {
    const principal = principalOf(caller);
    const where = authorization.visibleWhere<Record<string, unknown>>(principal, action, subjectType);
    for (const relation of RELATIONS) {
      for (const fields of FIELD_VARIANTS) {
        const object = sample(subjectType, relation, principal, fields);
        expect([relation, fields, matchesWhere(where as Record<string, unknown>[] | null, object)]).toEqual([
          relation,
          fields,
          visibleByEnsure(principal, action, subjectType, object),
        ]);
      }
    }
  });
});

describe('abilities built once per principal', () => {
  const buyer = (userId: string, organizationId: string | null = CALLER_ORG): Actor => ({
    type: 'user',
    userId,
    organizationId,
    roles: ['buyer'],
  });
  const tagged = (type: SubjectType, fields: Record<PropertyKey, unknown>) => subject(type, fields);
  const order = () => tagged('Order', { organizationId: CALLER_ORG, placedById: CALLER_ID });
  const colleague = () => tagged('User', { organizationId: CALLER_ORG });

  it('gives the same principal the same ability, and each user, organization and role set its own', () => {
    expect(abilityFor(buyer(CALLER_ID))).toBe(abilityFor(buyer(CALLER_ID)));
    expect(abilityFor(null)).toBe(abilityFor(null));
    expect(abilityFor(buyer(CALLER_ID)).can('read', order())).toBe(true);
    expect(abilityFor(buyer(COLLEAGUE_ID)).can('read', order())).toBe(false);
    expect(abilityFor(buyer(CALLER_ID, OTHER_ORG)).can('read', order())).toBe(false);
    expect(abilityFor({ ...buyer(CALLER_ID), roles: ['buyer', 'org_admin'] }).can('read', colleague())).toBe(true);
    expect(abilityFor(buyer(CALLER_ID)).can('read', colleague())).toBe(false);
  });
});
