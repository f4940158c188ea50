import { AbilityBuilder, createMongoAbility, type MongoAbility } from '@casl/ability';
import type { Principal } from './actor';
import type { Role } from './roles';

export type Action =
  | 'read'
  | 'create'
  | 'update'
  | 'archive'
  | 'adjust'
  | 'place'
  | 'cancel'
  | 'fulfil'
  | 'pay'
  | 'refund'
  | 'verify'
  | 'export';

export type SubjectType =
  | 'Product'
  | 'Category'
  | 'Stock'
  | 'Order'
  | 'Invoice'
  | 'Payment'
  | 'AuditEvent'
  | 'User'
  | 'Organization'
  | 'ApiKey';

/** Checked either by type (route guard) or as a loaded object tagged by CASL's `subject()`. */
export type AppAbility = MongoAbility<[Action, SubjectType | Record<PropertyKey, unknown>]>;

type Can = AbilityBuilder<AppAbility>['can'];

interface RuleContext {
  can: Can;
  userId: string;
  organizationId: string | null;
}

/**
 * Every rule of every role, one role per entry, to be read against the role
 * matrix in docs/api-guide.md ("Roles"). Conditions name the subject's own fields: an order carries
 * `organizationId` and `placedById`, an invoice and a payment too.
 */
const ROLE_RULES: Record<Role, (context: RuleContext) => void> = {
  admin: ({ can, userId }) => {
    can('read', ['Product', 'Category', 'Order', 'Invoice', 'Payment', 'AuditEvent', 'User', 'Organization']);
    can(['create', 'update', 'archive'], ['Product', 'Category']);
    can(['read', 'adjust'], 'Stock');
    can(['cancel', 'fulfil'], 'Order');
    can('refund', 'Payment');
    can(['verify', 'export'], 'AuditEvent');
    can(['create', 'update'], ['User', 'Organization']);
    can(['read', 'create', 'archive'], 'ApiKey', { userId });
  },
  catalog_manager: ({ can, userId }) => {
    can('read', ['Product', 'Category']);
    can(['create', 'update', 'archive'], ['Product', 'Category']);
    can(['read', 'adjust'], 'Stock');
    can(['read', 'create', 'archive'], 'ApiKey', { userId });
  },
  fulfillment: ({ can, userId }) => {
    can('read', ['Product', 'Category', 'Order']);
    can(['read', 'adjust'], 'Stock');
    can(['cancel', 'fulfil'], 'Order');
    can(['read', 'create', 'archive'], 'ApiKey', { userId });
  },
  finance: ({ can, userId }) => {
    can('read', 'Product', { active: true });
    can('read', ['Category', 'Order', 'Invoice', 'Payment']);
    can('refund', 'Payment');
    can(['read', 'create', 'archive'], 'ApiKey', { userId });
  },
  auditor: ({ can, userId }) => {
    can('read', ['Product', 'Category', 'Stock', 'Order', 'Invoice', 'Payment', 'AuditEvent', 'User', 'Organization']);
    can(['verify', 'export'], 'AuditEvent');
    can(['read', 'create', 'archive'], 'ApiKey', { userId });
  },
  org_admin: ({ can, organizationId }) => {
    const ownOrganization = { organizationId };
    can('read', 'Product', { active: true });
    can('read', 'Category');
    can(['place', 'read', 'cancel'], 'Order', ownOrganization);
    can(['read', 'pay'], 'Invoice', ownOrganization);
    can('read', 'Payment', ownOrganization);
    // Only customer roles may be granted: UsersService checks the roles in the body.
    can(['read', 'create', 'update'], 'User', ownOrganization);
    can('read', 'Organization', { id: organizationId });
    can(['read', 'create', 'archive'], 'ApiKey', ownOrganization);
  },
  buyer: ({ can, userId, organizationId }) => {
    const placedBySelf = { organizationId, placedById: userId };
    can('read', 'Product', { active: true });
    can('read', 'Category');
    can('place', 'Order', { organizationId });
    can(['read', 'cancel'], 'Order', placedBySelf);
    can(['read', 'pay'], 'Invoice', placedBySelf);
    can('read', 'Payment', placedBySelf);
    can('read', 'Organization', { id: organizationId });
    can(['read', 'create', 'archive'], 'ApiKey', { userId });
  },
};

/** Abilities are built once per distinct principal (roles, user, organization), most recent kept. */
const CACHED_ABILITIES = 1_000;

const anonymousAbility = buildAbility(null);
const abilities = new Map<string, AppAbility>();

/**
 * What `principal` may do. Anonymous callers may read active products and categories only.
 * The ability depends on nothing else, so it is built once and shared (nothing updates it).
 */
export function abilityFor(principal: Principal): AppAbility {
  if (!principal) return anonymousAbility;
  const key = `${principal.roles.join(',')}|${principal.userId}|${principal.organizationId}`;
  let ability = abilities.get(key);
  if (ability) {
    abilities.delete(key); // re-inserted below: the Map's order is the recency
  } else {
    ability = buildAbility(principal);
    if (abilities.size >= CACHED_ABILITIES) abilities.delete(abilities.keys().next().value as string);
  }
  abilities.set(key, ability);
  return ability;
}

function buildAbility(principal: Principal): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  if (!principal) {
    can('read', 'Product', { active: true });
    can('read', 'Category');
    return build();
  }
  for (const role of principal.roles) {
    ROLE_RULES[role]({ can, userId: principal.userId, organizationId: principal.organizationId });
  }
  return build();
}
