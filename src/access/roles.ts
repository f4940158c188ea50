/** Operator staff: no organization. */
export const STAFF_ROLES = ['admin', 'catalog_manager', 'fulfillment', 'finance', 'auditor'] as const;
/** Customers: exactly one organization. */
export const CUSTOMER_ROLES = ['org_admin', 'buyer'] as const;
export const ROLES = [...STAFF_ROLES, ...CUSTOMER_ROLES] as const;

export type StaffRole = (typeof STAFF_ROLES)[number];
export type CustomerRole = (typeof CUSTOMER_ROLES)[number];
export type Role = StaffRole | CustomerRole;

export function isStaffRole(role: Role): role is StaffRole {
  return (STAFF_ROLES as readonly Role[]).includes(role);
}

export function isCustomerRole(role: Role): role is CustomerRole {
  return (CUSTOMER_ROLES as readonly Role[]).includes(role);
}
